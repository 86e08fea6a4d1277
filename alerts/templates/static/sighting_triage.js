/* The triage page, enhanced: the sightings on a map (the list stays the main view and works
   without it, and without map tiles), and new sightings fetched every 15 seconds and added
   above the list without reloading, so notes being typed are never lost. */
(function () {
  "use strict";
  var list = document.querySelector("[data-poll]");
  if (!list) { return; }
  var POLL_MS = 15000;
  var newList = document.querySelector("[data-new-list]");
  var announce = document.querySelector("[data-announce]");
  var stopped = document.querySelector("[data-poll-stopped]");
  var none = document.querySelector("[data-none]");
  var box = document.querySelector("[data-map]");
  var latest = parseInt(list.dataset.latest, 10) || 0;
  var map = null;
  var layer = null;
  var colours = { new: "#0b3d91", credible: "#0f6b2f", police: "#5b2187", not_credible: "#6b7280", duplicate: "#6b7280" };

  function goTo(card) {
    card.scrollIntoView({ behavior: "smooth", block: "start" });
    card.focus({ preventScroll: true });
  }

  function addMarker(card) {
    if (!map || !card.dataset.lat) { return; }
    var point = [parseFloat(card.dataset.lat), parseFloat(card.dataset.lon)];
    var marker = window.L.circleMarker(point, {
      radius: 8, weight: 2, color: "#ffffff", fillOpacity: 0.9,
      fillColor: colours[card.dataset.status] || "#0b3d91"
    }).addTo(layer);
    marker.bindTooltip(card.dataset.ref);  /* the reference only: tipsters' words stay in the list */
    marker.on("click", function () { goTo(card); });
  }

  function startMap() {
    if (!box || !window.L) { return; }
    box.hidden = false;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", box.dataset.label);
    map = window.L.map(box, { keyboard: true });
    /* If the tiles cannot load, the points, the last-seen place and the radius still show. */
    window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "© OpenStreetMap"
    }).addTo(map);
    layer = window.L.featureGroup().addTo(map);
    if (box.dataset.lastLat) {
      var last = [parseFloat(box.dataset.lastLat), parseFloat(box.dataset.lastLon)];
      window.L.circle(last, { radius: parseFloat(box.dataset.radiusKm) * 1000, color: "#a4161a", weight: 1, fill: false }).addTo(map);
      window.L.marker(last, { title: box.dataset.lastLabel, alt: box.dataset.lastLabel }).addTo(map);
      map.setView(last, 11);
    } else {
      map.setView([50.64, 4.67], 8);
    }
    document.querySelectorAll(".sighting[data-lat]").forEach(addMarker);
    if (layer.getLayers().length) { map.fitBounds(layer.getBounds().pad(0.2), { maxZoom: 14 }); }
  }

  function stop() {
    stopped.hidden = false;
    window.clearInterval(timer);
  }

  function poll() {
    if (document.hidden) { return; }
    fetch(list.dataset.poll + "?after=" + latest, {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) {
        throw new Error("no longer signed in");
      }
      return response.json();
    }).then(function (data) {
      if (!data.items.length) { return; }
      data.items.forEach(function (item) {
        /* Rendered and escaped by the server, like the rest of the page. */
        newList.querySelector("h3").insertAdjacentHTML("afterend", item.html);
        addMarker(document.getElementById("s-" + item.id));
      });
      newList.hidden = false;
      if (none) { none.hidden = true; }
      latest = data.latest;
      announce.textContent = announce.dataset.words.replace("%(n)s", String(data.items.length));
    }).catch(stop);
  }

  startMap();
  var timer = window.setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
})();
