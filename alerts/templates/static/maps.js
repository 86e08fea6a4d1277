/* What the maps share (the sighting form's point picker, the triage page's sightings, a poster
   round's places, a field search's board): a Leaflet map in a box, its tiles from the server's setting (the box's
   data-tiles and data-attribution; none: no tiles), asked with the site's origin as referrer.
   When the tiles cannot load (none configured, an error before the first tile, nothing within
   8 s), the map turns into a plain outline: the box's `no-tiles` class draws a grid, a scale
   is added, and the fallback under the map (a notice and a list naming each point) is shown,
   so the points are never on a blank box. A tile that arrives late brings the background back.
   The list is filled by `listPoint` whether or not the tiles load; it is shown only without. */
(function () {
  "use strict";
  var TILE_WAIT_MS = 8000;

  /* The map in `box` (a region named by its data-label, if any), and `fallback`, shown
     without tiles. */
  function open(box, fallback) {
    box.hidden = false;
    if (box.dataset.label) {
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", box.dataset.label);
    }
    /* Quarter zoom steps: a round's zones or a search's grid fill a phone's narrow box. */
    var map = window.L.map(box, { keyboard: true, zoomSnap: 0.25 });
    var plain = false;
    var loaded = false;
    var scale = null;
    function goPlain() {
      if (plain || loaded) { return; }
      plain = true;
      box.classList.add("no-tiles");
      if (fallback) { fallback.hidden = false; }
      if (!scale) { scale = window.L.control.scale({ imperial: false }).addTo(map); }
    }
    if (box.dataset.tiles) {
      var tiles = window.L.tileLayer(box.dataset.tiles, {
        maxZoom: 19, attribution: box.dataset.attribution,
        referrerPolicy: "strict-origin-when-cross-origin"
      });
      tiles.on("tileload", function () {
        loaded = true;
        /* A tile that failed first, on a slow network: the background is there after all. */
        if (plain) {
          plain = false;
          box.classList.remove("no-tiles");
          if (fallback) { fallback.hidden = true; }
        }
      });
      tiles.on("tileerror", goPlain);
      tiles.addTo(map);
      window.setTimeout(goPlain, TILE_WAIT_MS);
    } else {
      goPlain();
    }
    return map;
  }

  /* A line of the fallback's list: `words` (what the point is), a link to `href` when
     given, and the point's coordinates. */
  function listPoint(list, words, lat, lon, href) {
    var item = document.createElement("li");
    var name = document.createElement(href ? "a" : "span");
    if (href) { name.href = href; }
    name.textContent = words;
    item.appendChild(name);
    item.appendChild(document.createTextNode(" · " + lat.toFixed(4) + ", " + lon.toFixed(4)));
    list.appendChild(item);
    return item;
  }

  /* A marker drawn as a small badge with a symbol (`glyph`) and a shape (`kind`, a CSS
     class), so that what it marks is told by its form and its legend, not by colour alone.
     It is a picture, not a control: points close together would make targets too small to
     touch, and the list or table under the map says the same (`title`, as the list words). */
  function badge(point, kind, glyph, title) {
    var icon = window.L.divIcon({
      className: "map-mark " + kind, html: "", iconSize: [26, 26], iconAnchor: [13, 13]
    });
    var marker = window.L.marker(point, {
      icon: icon, title: title, alt: title, interactive: false, keyboard: false
    });
    marker.on("add", function () {
      var element = marker.getElement();
      if (element) { element.textContent = glyph; }
    });
    return marker;
  }

  /* The map data of `url` (JSON, same origin); rejected when the session ended. */
  function fetchData(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) {
          throw new Error("no map data");
        }
        return response.json();
      });
  }

  /* The page's map box (`[data-map]`), its fallback and the list in it; null when the page
     has no map or Leaflet did not load (the page works on without). */
  function onPage() {
    var box = document.querySelector("[data-map]");
    if (!box || !window.L) { return null; }
    return {
      box: box,
      fallback: document.querySelector("[data-map-fallback]"),
      list: document.querySelector("[data-map-points]")
    };
  }

  window.AlertsMaps = {
    open: open, listPoint: listPoint, badge: badge, fetchData: fetchData, onPage: onPage
  };
})();
