/* The triage page, enhanced: the sightings on a map (the list stays the main view and works
   without it, and without map tiles), and new sightings fetched every 15 seconds and added
   above the list without reloading, so notes being typed are never lost.
   The tiles come from the server's setting (data-tiles; none: no tiles). When they cannot load
   (no network, a refused request), the map turns into a plain outline (a grid and a scale),
   the points stay on it, and a list under it names each point with its precision: never a
   blank box. A point only known to its municipality is drawn as a dashed circle around the
   town centre, not as a dot. */
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
  var fallback = document.querySelector("[data-map-fallback]");
  var pointList = document.querySelector("[data-map-points]");
  var map = null;
  var layer = null;
  var MUNICIPALITY_M = 3000;  /* how far from the town centre such a point may be, drawn */
  var colours = { new: "#0b3d91", credible: "#0f6b2f", police: "#5b2187", not_credible: "#6b7280", duplicate: "#6b7280" };

  function goTo(card) {
    card.scrollIntoView({ behavior: "smooth", block: "start" });
    card.focus({ preventScroll: true });
  }

  function listPoint(card) {
    var lat = parseFloat(card.dataset.lat);
    var lon = parseFloat(card.dataset.lon);
    var item = window.AlertsMaps.listPoint(pointList, card.dataset.ref, lat, lon, "#" + card.id);
    /* The precision after the reference, before the coordinates. */
    item.insertBefore(document.createTextNode(" · " + card.dataset.precisionWords),
      item.childNodes[1]);
    item.dataset.precision = card.dataset.precision;
  }

  function addMarker(card) {
    if (!map || !card || !card.dataset.lat) { return; }
    var point = [parseFloat(card.dataset.lat), parseFloat(card.dataset.lon)];
    var colour = colours[card.dataset.status] || "#0b3d91";
    var marker;
    if (card.dataset.precision === "municipality") {
      marker = window.L.circle(point, {
        radius: MUNICIPALITY_M, weight: 2, dashArray: "6 6", color: colour, fillOpacity: 0.08
      }).addTo(layer);
    } else {
      marker = window.L.circleMarker(point, {
        radius: 8, weight: 2, color: "#ffffff", fillOpacity: 0.9, fillColor: colour
      }).addTo(layer);
    }
    /* The reference and the precision only: tipsters' words stay in the list. */
    marker.bindTooltip(card.dataset.ref + " · " + card.dataset.precisionWords);
    marker.on("click", function () { goTo(card); });
    listPoint(card);
  }

  function startMap() {
    if (!box || !window.L || !window.AlertsMaps) { return; }
    /* If the tiles cannot load, the points, the last-seen place and the radius still show. */
    map = window.AlertsMaps.open(box, fallback);
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
    window.AlertsMaps.fetchData(list.dataset.poll + "?after=" + latest).then(function (data) {
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
