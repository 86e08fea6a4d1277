"""Cases: the lifecycle, the fields, consent and the one public view, photos."""
