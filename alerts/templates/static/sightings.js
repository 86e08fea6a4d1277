/* The sighting form, enhanced: a "just now" button, the device's position, a map to pick the
   point, and a photo size check before sending. Everything here is optional: without it the
   form sends the same fields. The words come from the form's data attributes (the page's
   language); nothing is sent anywhere but to this site. */
(function () {
  "use strict";
  var form = document.querySelector("[data-sighting-form]");
  if (!form) { return; }
  var words = form.dataset;
  var lat = form.querySelector("#sf-lat");
  var lon = form.querySelector("#sf-lon");
  var source = form.querySelector("[data-point-source]");
  var status = form.querySelector("[data-point-status]");
  var tools = form.querySelector("[data-point-tools]");
  var details = form.querySelector("[data-coordinates]");
  var mapBox = form.querySelector("[data-map-box]");
  var map = null;
  var marker = null;

  /* After a refused report the page opens at the list of problems (the form's address ends
     in #sf-summary); with a script it also takes the focus, so that it is read out first. */
  var summary = form.querySelector(".sf-summary");
  if (summary) { summary.focus(); }

  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "sf-tool";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* "Just now": the device's local time, as the datetime-local field wants it. */
  var when = form.querySelector("#sf-seen_at");
  var nowRow = form.querySelector("[data-now-row]");
  if (when && nowRow) {
    nowRow.appendChild(button(words.now, function () {
      var d = new Date();
      when.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
        "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
      when.focus();
    }));
  }

  function setPoint(la, lo, how, message) {
    lat.value = la.toFixed(5);
    lon.value = lo.toFixed(5);
    source.value = how;
    details.open = true;
    status.textContent = message;
  }

  [lat, lon].forEach(function (input) {
    input.addEventListener("input", function () { source.value = "map"; });
  });

  if (navigator.geolocation) {
    tools.appendChild(button(words.locate, function () {
      status.textContent = words.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        setPoint(position.coords.latitude, position.coords.longitude, "device", words.located);
        if (map) { showPoint(position.coords.latitude, position.coords.longitude); }
      }, function () {
        status.textContent = words.locateFailed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }));
  }

  function showPoint(la, lo) {
    if (marker) { marker.setLatLng([la, lo]); } else { marker = window.L.marker([la, lo]).addTo(map); }
    map.panTo([la, lo]);
  }

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (k) { element[k] = attributes[k]; });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function openMap() {
    if (map) { mapBox.focus(); return; }
    var base = "/static/vendor/leaflet/";
    Promise.all([
      load("link", { rel: "stylesheet", href: base + "leaflet.css" }),
      load("script", { src: base + "leaflet.js" })
    ]).then(function () {
      mapBox.hidden = false;
      mapBox.tabIndex = 0;
      mapBox.setAttribute("role", "application");
      mapBox.setAttribute("aria-label", words.mapLabel);
      var start = (words.center || "50.64,4.67").split(",").map(Number);
      var hasPoint = lat.value && lon.value && !isNaN(parseFloat(lat.value.replace(",", ".")));
      map = window.L.map(mapBox).setView(start, words.center ? 13 : 8);
      window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19, attribution: "© OpenStreetMap"
      }).addTo(map);
      if (hasPoint) {
        showPoint(parseFloat(lat.value.replace(",", ".")), parseFloat(lon.value.replace(",", ".")));
      }
      map.on("click", function (event) {
        setPoint(event.latlng.lat, event.latlng.lng, "map", words.picked);
        showPoint(event.latlng.lat, event.latlng.lng);
      });
      /* Keyboard: the arrows move the map (Leaflet), Enter puts the point at its centre. */
      mapBox.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && event.target === mapBox) {
          event.preventDefault();
          var c = map.getCenter();
          setPoint(c.lat, c.lng, "map", words.picked);
          showPoint(c.lat, c.lng);
        }
      });
      mapBox.focus();
    }).catch(function () {
      mapBox.hidden = true;
    });
  }

  tools.appendChild(button(words.map, openMap));
  tools.hidden = false;

  /* The photo's size, checked before minutes of uploading on a phone end in a refusal. */
  var photo = form.querySelector("#sf-photo");
  var photoCheck = form.querySelector("[data-photo-check]");
  var maxBytes = parseInt(words.maxBytes, 10);
  function photoTooLarge() {
    var file = photo.files && photo.files[0];
    var tooLarge = Boolean(file && maxBytes && file.size > maxBytes);
    photoCheck.hidden = !tooLarge;
    photoCheck.textContent = tooLarge ? words.tooLarge : "";
    var ids = (photo.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== "sf-photo-check";
    });
    if (tooLarge) { ids.push("sf-photo-check"); photo.setAttribute("aria-invalid", "true"); }
    else if (!form.querySelector("#sf-photo-error")) { photo.removeAttribute("aria-invalid"); }
    photo.setAttribute("aria-describedby", ids.join(" "));
    return tooLarge;
  }
  photo.addEventListener("change", photoTooLarge);
  form.addEventListener("submit", function (event) {
    if (photoTooLarge()) { event.preventDefault(); photo.focus(); }
  });
})();
