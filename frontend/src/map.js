// Maps of the public pages. The base layer is the country outlines of the world-atlas
// package (Natural Earth 1:110m), so the map needs no tile server and no outside network;
// a deployment may add a raster tile layer (data-tile-url, from the MAP_TILE_URL setting).
//
// <div class="map" data-geojson-url="..."> draws one circle per project from a GeoJSON
// FeatureCollection (sized by MW, coloured by status, with a popup); <div class="map"
// data-site="element-id"> draws a project's site and its grid connections from a
// json_script block. Labels come from data-label-* attributes, translated by Django.
import * as L from "leaflet";
import { feature } from "topojson-client";
import countries from "world-atlas/countries-110m.json";

const CONFLICT_COLOUR = "#8a4b00";
const WORLD = [
  [-58, -170],
  [75, 180],
];

// Rings of Russia and Fiji cross the antimeridian, jumping from 180° to -180°, which Leaflet
// would draw as a line across the world: continue them past 180° instead.
function unwrap(ring) {
  const out = [ring[0]];
  for (const [longitude, latitude] of ring.slice(1)) {
    const previous = out[out.length - 1][0];
    let x = longitude;
    while (x - previous > 180) x -= 360;
    while (previous - x > 180) x += 360;
    out.push([x, latitude]);
  }
  return out;
}

function outlines() {
  const shapes = feature(countries, countries.objects.countries).features.filter(
    (country) => country.properties.name !== "Antarctica", // no projects, and it runs along the edge of the map
  );
  for (const shape of shapes) {
    const geometry = shape.geometry;
    if (geometry.type === "Polygon") geometry.coordinates = geometry.coordinates.map(unwrap);
    else geometry.coordinates = geometry.coordinates.map((polygon) => polygon.map(unwrap));
  }
  return shapes;
}

function baseMap(element) {
  const map = L.map(element, { worldCopyJump: true, minZoom: 1, maxZoom: 14 });
  map.fitBounds(WORLD); // layers can only be drawn once the map has a view
  const tiles = element.dataset.tileUrl;
  if (tiles) {
    // the attribution is the operator's setting, still written as text: Leaflet reads it as HTML
    L.tileLayer(tiles, { attribution: text("span", element.dataset.tileAttribution || "").innerHTML, maxZoom: 19 }).addTo(map);
  }
  map.attributionControl.addAttribution("Natural Earth (world-atlas)");
  L.geoJSON(outlines(), {
    interactive: false,
    // over tiles, the borders alone; without them, the land too
    style: tiles
      ? { color: "#52606d", weight: 1, fill: false }
      : { color: "#8a9aa8", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1 },
  }).addTo(map);
  return map;
}

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

// Every stored string reaches the page through textContent: names are data, never markup.
// Leaflet writes string content (popups, tooltips) as innerHTML, so it only ever gets nodes.
function popupFor(properties, labels) {
  const box = document.createElement("div");
  box.className = "map-popup";
  box.append(text("strong", properties.name));
  const facts = document.createElement("p");
  const capacity = properties.capacity_mw;
  facts.append(text("span", capacity == null ? labels.noCapacity : `${labels.number.format(capacity)} MW`));
  facts.append(document.createElement("br"));
  facts.append(text("span", properties.status_label));
  if (properties.conflicts) {
    facts.append(document.createElement("br"));
    facts.append(text("span", labels.conflict, "map-conflict"));
  }
  box.append(facts);
  const link = text("a", labels.open);
  link.href = properties.url;
  box.append(link);
  return box;
}

function markerLayer(data, labels, map) {
  // Larger circles first so that smaller ones stay clickable on top of them.
  data.features.sort((a, b) => (b.properties.capacity_mw || 0) - (a.properties.capacity_mw || 0));
  // The server gives longitudes in [-180, 180]; a map panned round the world shows another copy
  // of it, so each point is drawn in the copy nearest the centre of the view.
  const centre = map.getCenter().lng;
  return L.geoJSON(data, {
    coordsToLatLng: ([longitude, latitude]) => {
      let x = longitude;
      while (x - centre > 180) x -= 360;
      while (centre - x > 180) x += 360;
      return L.latLng(latitude, x);
    },
    pointToLayer: (point, latlng) =>
      point.properties.cluster
        ? L.circleMarker(latlng, {
            radius: point.properties.radius,
            color: "#1f2933",
            weight: 1,
            fillColor: "#52606d",
            fillOpacity: 0.55,
            className: "project-cluster",
          })
        : L.circleMarker(latlng, {
            radius: point.properties.radius, // sized on the server, like the legend (charts.marker_radius)
            // a project whose sources disagree is ringed, as in the legend
            color: point.properties.conflicts ? CONFLICT_COLOUR : "#1f2933",
            weight: point.properties.conflicts ? 2.5 : 0.6,
            dashArray: point.properties.conflicts ? "4 3" : null,
            fillColor: point.properties.colour,
            fillOpacity: 0.75,
            className: point.properties.conflicts ? "project-marker in-conflict" : "project-marker",
          }),
    onEachFeature: (point, marker) => {
      const properties = point.properties;
      if (properties.cluster) {
        const [west, south, east, north] = properties.bounds;
        const summary = [labels.clusterCount.replace("{count}", labels.number.format(properties.count))];
        if (properties.capacity_mw != null) summary.push(`${labels.number.format(properties.capacity_mw)} MW`);
        marker.bindTooltip(() => text("span", summary.join(" · ")));
        // A cluster opens as the map zooms into the box its projects lie in.
        marker.on("click", () =>
          map.fitBounds(
            [
              [south, west],
              [north, east],
            ],
            { padding: [30, 30], maxZoom: Math.max(map.getZoom() + 2, 6) },
          ),
        );
        return;
      }
      marker.bindPopup(() => popupFor(properties, labels));
      // Leaflet writes a string tooltip as HTML; a node built here keeps the name as text.
      marker.bindTooltip(() => text("span", properties.name));
    },
  });
}

// Markers and clusters in the view are stops of the tab order, named, and open with Enter or
// Space like a click (a popup, or a zoom into a cluster); those out of view are not, so a
// world of markers does not put thousands of stops between the map and the rest of the page.
function keyboardReady(marker, labels) {
  const path = marker.getElement();
  if (!path) return;
  const properties = marker.feature.properties;
  path.setAttribute("role", "button");
  if (properties.cluster) {
    path.setAttribute("aria-label", labels.clusterCount.replace("{count}", labels.number.format(properties.count)));
  } else {
    const parts = [properties.name, properties.status_label];
    if (properties.capacity_mw != null) parts.push(`${labels.number.format(properties.capacity_mw)} MW`);
    if (properties.conflicts) parts.push(labels.conflict);
    path.setAttribute("aria-label", parts.join(", "));
  }
  path.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    event.stopPropagation();
    if (properties.cluster) {
      marker.fire("click", { latlng: marker.getLatLng() });
      return;
    }
    marker.openPopup();
    const popup = marker.getPopup()?.getElement();
    popup?.querySelector("a[href]")?.focus();
    if (popup && !popup.dataset.keyboard) {
      popup.dataset.keyboard = "1";
      // Escape closes the popup and brings the reader back to the marker
      popup.addEventListener("keydown", (key) => {
        if (key.key !== "Escape") return;
        marker.closePopup();
        path.focus();
      });
    }
  });
}

function focusable(layer, map) {
  if (!layer) return;
  const view = map.getBounds();
  layer.eachLayer((marker) => marker.getElement()?.setAttribute("tabindex", view.contains(marker.getLatLng()) ? "0" : "-1"));
}

// The table alternative of the map: what the view shows, as rows of text, updated as it moves.
const TABLE_ROWS = 200;

function viewTable(details, map, labels) {
  const body = details.querySelector("tbody");
  const summary = details.querySelector("[data-role=summary]");
  const format = (template, values) => template.replace(/\{(\w+)\}/g, (match, name) => values[name] ?? match);
  return {
    update(layer) {
      const view = map.getBounds();
      const rows = [];
      let total = 0;
      layer.eachLayer((marker) => {
        if (!view.contains(marker.getLatLng())) return;
        const properties = marker.feature.properties;
        total += properties.cluster ? properties.count : 1;
        rows.push(properties);
      });
      // clusters last; projects by capacity, as the map stacks them
      rows.sort((a, b) => Boolean(a.cluster) - Boolean(b.cluster) || (b.capacity_mw || 0) - (a.capacity_mw || 0));
      const shown = rows.slice(0, TABLE_ROWS);
      body.replaceChildren(
        ...shown.map((properties) => {
          const row = document.createElement("tr");
          const name = document.createElement("th");
          name.scope = "row";
          if (properties.cluster) {
            name.append(text("span", `${body.dataset.labelCluster} (${labels.number.format(properties.count)})`));
          } else {
            const link = text("a", properties.name);
            link.href = properties.url;
            name.append(link);
          }
          row.append(name);
          row.append(text("td", properties.cluster ? "" : properties.status_label));
          row.append(text("td", properties.capacity_mw == null ? "" : labels.number.format(properties.capacity_mw), "num"));
          row.append(text("td", properties.conflicts ? body.dataset.labelConflict : ""));
          return row;
        }),
      );
      const listed = shown.reduce((sum, properties) => sum + (properties.cluster ? properties.count : 1), 0);
      summary.textContent =
        listed < total
          ? format(body.dataset.labelShown, { shown: labels.number.format(listed), total: labels.number.format(total) })
          : format(body.dataset.labelCount, { count: labels.number.format(total) });
      details.dataset.rows = String(shown.length);
    },
  };
}

// The server answers for the view the map shows: one marker per project up to a limit, beyond
// it clusters by grid cell; so the first view downloads the same few kilobytes at any size.
async function projectsMap(element) {
  const map = baseMap(element);
  const labels = {
    open: element.dataset.labelOpen,
    noCapacity: element.dataset.labelNoCapacity,
    clusterCount: element.dataset.labelClusterCount || "{count} projects",
    conflict: element.dataset.labelConflict || "",
    // figures grouped the way the page's language writes them (700, 1,250 or 1 250)
    number: new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 1 }),
  };
  const base = new URL(element.dataset.geojsonUrl, window.location.href);
  const tableElement = element.dataset.table && document.getElementById(element.dataset.table);
  const table = tableElement ? viewTable(tableElement, map, labels) : null;
  let layer = null;
  let pending = null;
  // What the markers on the map cover: the whole selection ("all") or a box around a view, at a
  // zoom, as markers or clusters. A move inside it (a popup panning the map) loads nothing.
  let loaded = null;

  function covered() {
    if (!loaded) return false;
    if (!loaded.clustered) return loaded.area === "all" || loaded.area.contains(map.getBounds());
    return loaded.zoom === Math.round(map.getZoom()) && loaded.area !== "all" && loaded.area.contains(map.getBounds());
  }

  async function load(withView) {
    const url = new URL(base);
    const zoom = Math.round(map.getZoom());
    url.searchParams.set("zoom", String(zoom));
    let area = "all";
    if (withView) {
      area = map.getBounds().pad(0.25); // a margin, so that small moves need nothing new
      const wide = area.getEast() - area.getWest() >= 360; // zoomed out: the whole world, once
      const view = [
        wide ? -180 : area.getWest(),
        Math.max(area.getSouth(), -90),
        wide ? 180 : area.getEast(),
        Math.min(area.getNorth(), 90),
      ];
      url.searchParams.set("view", view.map((value) => value.toFixed(4)).join(","));
    }
    pending?.abort();
    pending = new AbortController();
    let data;
    try {
      const response = await fetch(url, { headers: { Accept: "application/geo+json" }, signal: pending.signal });
      if (!response.ok) {
        element.dataset.state = "error";
        return null;
      }
      data = await response.json();
    } catch (error) {
      if (error.name === "AbortError") return null; // a newer view replaced this one
      element.dataset.state = "error";
      return null;
    }
    loaded = { area, zoom, clustered: Boolean(data.clustered) };
    layer?.remove();
    layer = markerLayer(data, labels, map).addTo(map);
    layer.eachLayer((marker) => keyboardReady(marker, labels));
    focusable(layer, map);
    table?.update(layer, data);
    element.dataset.markerCount = String(data.features.filter((point) => !point.properties.cluster).length);
    element.dataset.clusterCount = String(data.features.filter((point) => point.properties.cluster).length);
    element.dataset.state = "ready";
    return data;
  }

  // From here on, each view loads what it shows (the fit below is the first such view).
  map.on("moveend", () => {
    if (covered()) {
      focusable(layer, map);
      table?.update(layer, null);
    } else load(true);
  });
  const first = await load(false);
  if (first?.bbox) {
    const [west, south, east, north] = first.bbox;
    map.fitBounds(
      [
        [south, west],
        [north, east],
      ],
      { padding: [30, 30], maxZoom: 5 },
    );
  }
}

// Town labels are placed most populous first; one that would cover a label already placed (or
// run off the map) is left out at this zoom, and tried again at the next.
function placeLabels(map, fixed, towns) {
  const frame = map.getContainer().getBoundingClientRect();
  const taken = fixed.map((marker) => marker.getTooltip()?.getElement()?.getBoundingClientRect()).filter(Boolean);
  const overlaps = (a, b) => a.left < b.right + 2 && b.left < a.right + 2 && a.top < b.bottom + 1 && b.top < a.bottom + 1;
  let placed = 0;
  for (const town of towns) {
    town.layer.addTo(map);
    const label = town.layer.getTooltip()?.getElement();
    const box = label?.getBoundingClientRect();
    const inside =
      box && box.left >= frame.left && box.right <= frame.right && box.top >= frame.top && box.bottom <= frame.bottom;
    if (!inside || taken.some((other) => overlaps(box, other))) {
      town.layer.remove();
      continue;
    }
    taken.push(box);
    placed += 1;
  }
  map.getContainer().dataset.townLabels = String(placed);
}

function siteMap(element) {
  const map = baseMap(element);
  L.control.scale({ imperial: false, maxWidth: 150 }).addTo(map); // the distances between the site, its substation and the towns
  const site = JSON.parse(document.getElementById(element.dataset.site).textContent);
  const centre = L.latLng(site.latitude, site.longitude);
  const fixed = [];
  const marker = L.circleMarker(centre, {
    radius: 9,
    color: "#1f2933",
    weight: 2,
    fillColor: site.colour,
    fillOpacity: 0.9,
    className: "project-marker",
  });
  const label = [site.name];
  if (site.conflicts) label.push(element.dataset.labelConflict);
  marker.bindTooltip(text("span", label.join(" · ")), { permanent: true, direction: "top", className: "site-label" }).addTo(map);
  fixed.push(marker);
  if (site.conflicts) {
    // ringed, as in the legend: sources disagree on some of its figures
    L.circleMarker(centre, {
      radius: 14,
      color: CONFLICT_COLOUR,
      weight: 3,
      dashArray: "4 3",
      fill: false,
      interactive: false,
      className: "conflict-ring",
    }).addTo(map);
  }
  // at least 12 km around the site: enough to see the towns that place it
  const bounds = centre.toBounds(24000);
  for (const substation of site.substations) {
    const point = L.latLng(substation.latitude, substation.longitude);
    bounds.extend(point);
    L.polyline([centre, point], { color: "#7b3294", weight: 2, dashArray: "6 4", className: "grid-connection" }).addTo(map);
    const stop = L.circleMarker(point, {
      radius: 6,
      color: "#7b3294",
      weight: 2,
      fillColor: "#ffffff",
      fillOpacity: 1,
      className: "substation-marker",
    })
      .bindTooltip(text("span", [substation.label, substation.distance_label].filter(Boolean).join(" · ")), {
        permanent: true,
        direction: "bottom",
      })
      .addTo(map);
    fixed.push(stop);
  }
  const towns = site.towns.map((town) => ({
    ...town,
    layer: L.circleMarker([town.latitude, town.longitude], {
      radius: 3,
      stroke: false,
      fillColor: "#52606d",
      fillOpacity: 1,
      interactive: false,
      className: "town-marker",
    }).bindTooltip(text("span", town.name), {
      permanent: true,
      direction: "right",
      offset: [2, 0],
      className: "town-label",
    }),
  }));
  map.fitBounds(bounds.pad(0.1), { maxZoom: 13 });
  placeLabels(map, fixed, towns);
  map.on("moveend", () => {
    for (const town of towns) town.layer.remove();
    placeLabels(map, fixed, towns);
  });
  element.dataset.state = "ready";
}

for (const element of document.querySelectorAll(".map[data-geojson-url]")) projectsMap(element);
for (const element of document.querySelectorAll(".map[data-site]")) siteMap(element);
