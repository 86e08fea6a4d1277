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
  var plain = false;
  var TILE_WAIT_MS = 8000;
  var MUNICIPALITY_M = 3000;  /* how far from the town centre such a point may be, drawn */
  var colours = { new: "#0b3d91", credible: "#0f6b2f", police: "#5b2187", not_credible: "#6b7280", duplicate: "#6b7280" };

  function goTo(card) {
    card.scrollIntoView({ behavior: "smooth", block: "start" });
    card.focus({ preventScroll: true });
  }

  function listPoint(card) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = "#" + card.id;
    link.textContent = card.dataset.ref;
    item.appendChild(link);
    item.appendChild(document.createTextNode(" · " + card.dataset.precisionWords + " · " +
      parseFloat(card.dataset.lat).toFixed(4) + ", " + parseFloat(card.dataset.lon).toFixed(4)));
    item.dataset.precision = card.dataset.precision;
    pointList.appendChild(item);
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

  /* No tiles: a plain outline (grid, scale) under the same points, and the list shown. */
  function goPlain() {
    if (plain) { return; }
    plain = true;
    box.classList.add("no-tiles");
    fallback.hidden = false;
    if (map) { window.L.control.scale({ imperial: false }).addTo(map); }
  }

  function startMap() {
    if (!box || !window.L) { return; }
    box.hidden = false;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", box.dataset.label);
    map = window.L.map(box, { keyboard: true });
    /* If the tiles cannot load, the points, the last-seen place and the radius still show. */
    if (box.dataset.tiles) {
      var loaded = false;
      var tiles = window.L.tileLayer(box.dataset.tiles, {
        maxZoom: 19, attribution: box.dataset.attribution,
        referrerPolicy: "strict-origin-when-cross-origin"
      });
      tiles.on("tileload", function () {
        loaded = true;
        /* A tile that failed first, on a slow network: the background is there after all. */
        if (plain) { plain = false; box.classList.remove("no-tiles"); fallback.hidden = true; }
      });
      tiles.on("tileerror", function () { if (!loaded) { goPlain(); } });
      tiles.addTo(map);
      window.setTimeout(function () { if (!loaded) { goPlain(); } }, TILE_WAIT_MS);
    } else {
      goPlain();
    }
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
