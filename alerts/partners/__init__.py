"""Beyond the volunteers: regional channels, partner webhooks, the press room, the Atom and CAP
feeds.
"""
