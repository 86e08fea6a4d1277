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

  /* Times. The field shows the wall clock of the case's zone (data-zone, Europe/Brussels),
     whatever the device's zone: the server reads a time without an offset in that zone.
     "Just now" takes the device's clock (an instant, the same in every zone) and shows it in
     the case's zone; when the device's zone differs, a line says what the time is on the
     device's own clock. A time in the future, or long before the child went missing, is
     pointed out before sending (the server checks the same). */
  var when = form.querySelector("#sf-seen_at");
  var nowRow = form.querySelector("[data-now-row]");
  var zone = words.zone;
  var deviceTime = form.querySelector("[data-device-time]");
  var timeCheck = form.querySelector("[data-time-check]");
  var confirmRow = form.querySelector("[data-confirm]");
  var confirmBox = form.querySelector("#sf-seen_at_confirmed");
  var lastSeen = words.lastSeen ? Date.parse(words.lastSeen) : NaN;
  var FUTURE_SLACK = 10 * 60 * 1000;
  var EARLY = 2 * 60 * 60 * 1000;
  var inZone = null;
  try {
    inZone = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
  } catch (e) { inZone = null; }

  /* The wall clock of the case's zone at `ms`, as the datetime-local field wants it. */
  function wallClock(ms) {
    var p = {};
    inZone.formatToParts(new Date(ms)).forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute;
  }
  function asUtc(text) {
    var m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(text || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) : NaN;
  }
  /* The instant of a wall-clock time in the case's zone (twice round, for the offset of
     that moment rather than of now). */
  function instant(text) {
    var wall = asUtc(text);
    if (isNaN(wall) || !inZone) { return NaN; }
    var guess = wall;
    for (var i = 0; i < 2; i++) { guess = wall - (asUtc(wallClock(guess)) - guess); }
    return guess;
  }
  function showDeviceTime() {
    var t = instant(when.value);
    var differs = !isNaN(t) && asUtc(wallClock(t)) - t !== -new Date(t).getTimezoneOffset() * 60000;
    deviceTime.hidden = !differs;
    if (differs) {
      var local;
      try {
        local = new Date(t).toLocaleString(document.documentElement.lang || undefined, {
          weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
          hourCycle: "h23"
        });
      } catch (e) { local = new Date(t).toString(); }
      deviceTime.textContent = words.deviceClock.replace("%(time)s", local);
    }
    var ids = (when.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== "sf-seen_at-device";
    });
    if (differs) { ids.push("sf-seen_at-device"); }
    when.setAttribute("aria-describedby", ids.join(" "));
  }
  function timeProblem() {
    var t = instant(when.value);
    if (isNaN(t)) { return ""; }
    if (t - Date.now() > FUTURE_SLACK) { return words.future; }
    if (!isNaN(lastSeen) && t < lastSeen - EARLY) {
      confirmRow.hidden = false;
      return confirmBox.checked ? "" : words.early;
    }
    /* Not early (any more): nothing to confirm. */
    confirmRow.hidden = true;
    confirmBox.checked = false;
    return "";
  }
  function checkTime() {
    var problem = inZone ? timeProblem() : "";
    timeCheck.hidden = !problem;
    timeCheck.textContent = problem;
    var ids = (when.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== "sf-seen_at-check";
    });
    if (problem) { ids.push("sf-seen_at-check"); when.setAttribute("aria-invalid", "true"); }
    else if (!form.querySelector("#sf-seen_at-error")) { when.removeAttribute("aria-invalid"); }
    when.setAttribute("aria-describedby", ids.join(" "));
    return Boolean(problem);
  }
  if (when && inZone) {
    when.addEventListener("input", showDeviceTime);
    when.addEventListener("change", function () { showDeviceTime(); if (!timeCheck.hidden) { checkTime(); } });
    showDeviceTime();
  }
  if (when && nowRow && inZone) {
    nowRow.appendChild(button(words.now, function () {
      when.value = wallClock(Date.now());
      showDeviceTime();
      checkTime();
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
      return load("script", { src: "/static/maps.js" });
    }).then(function () {
      /* The tiles of the server's setting; without them (none, or they cannot load), a
         plain grid and a scale, and a line that says so: the point can still be picked. */
      map = window.AlertsMaps.open(mapBox, form.querySelector("[data-map-plain]"));
      mapBox.tabIndex = 0;
      mapBox.setAttribute("role", "application");
      mapBox.setAttribute("aria-label", words.mapLabel);
      var start = (words.center || "50.64,4.67").split(",").map(Number);
      var hasPoint = lat.value && lon.value && !isNaN(parseFloat(lat.value.replace(",", ".")));
      map.setView(start, words.center ? 13 : 8);
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
    if (when && inZone && checkTime()) {
      event.preventDefault();
      (confirmRow.hidden ? when : confirmBox).focus();
      return;
    }
    if (photoTooLarge()) { event.preventDefault(); photo.focus(); }
  });
})();
