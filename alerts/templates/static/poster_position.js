// The poster round's phone page: fill the place's position from the phone, when the volunteer
// allows it (the form works without it: the position can be typed).
const lat = document.getElementById("poster-lat");
if (lat && !lat.value && navigator.geolocation) {
  navigator.geolocation.getCurrentPosition((p) => {
    lat.value = p.coords.latitude.toFixed(5);
    document.getElementById("poster-lon").value = p.coords.longitude.toFixed(5);
  }, () => {}, {timeout: 10000});
}
