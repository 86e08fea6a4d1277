// The field search's phone page: fill the check-in's and the find's position from the phone,
// when the searcher allows it (the forms work without it).
for (const [lat, lon] of [["checkin-lat", "checkin-lon"], ["find-lat", "find-lon"]]) {
  const field = document.getElementById(lat);
  if (field && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition((p) => {
      field.value = p.coords.latitude.toFixed(5);
      document.getElementById(lon).value = p.coords.longitude.toFixed(5);
    }, () => {}, {timeout: 10000});
  }
}
