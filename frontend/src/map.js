// Maps of the public pages. The base layer is the country outlines of the world-atlas
// package (Natural Earth 1:110m), so the map needs no tile server and no outside network.
//
// <div class="map" data-geojson-url="..."> draws one circle per project from a GeoJSON
// FeatureCollection (sized by MW, coloured by status, with a popup); <div class="map"
// data-site="element-id"> draws a project's site and its grid connections from a
// json_script block. Labels come from data-label-* attributes, translated by Django.
import * as L from "leaflet";
import { feature } from "topojson-client";
import countries from "world-atlas/countries-110m.json";

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
  const map = L.map(element, { worldCopyJump: true, minZoom: 1, maxZoom: 12 });
  map.fitBounds(WORLD); // layers can only be drawn once the map has a view
  map.attributionControl.addAttribution("Natural Earth (world-atlas)");
  L.geoJSON(outlines(), {
    interactive: false,
    style: { color: "#8a9aa8", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1 },
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
            color: "#1f2933",
            weight: 0.6,
            fillColor: point.properties.colour,
            fillOpacity: 0.75,
            className: "project-marker",
          }),
    onEachFeature: (point, marker) => {
      const properties = point.properties;
      if (properties.cluster) {
        const [west, south, east, north] = properties.bounds;
        const summary = [labels.clusterCount.replace("%s", labels.number.format(properties.count))];
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

// The server answers for the view the map shows: one marker per project up to a limit, beyond
// it clusters by grid cell; so the first view downloads the same few kilobytes at any size.
async function projectsMap(element) {
  const map = baseMap(element);
  const labels = {
    open: element.dataset.labelOpen,
    noCapacity: element.dataset.labelNoCapacity,
    clusterCount: element.dataset.labelClusterCount || "%s projects",
    // figures grouped the way the page's language writes them (700, 1,250 or 1 250)
    number: new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 1 }),
  };
  const base = new URL(element.dataset.geojsonUrl, window.location.href);
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
    // Chromium puts every clickable circle in the tab order, unnamed: thousands of stops between the
    // map and the rest of the page. Keyboard users get the same projects from the list linked above.
    layer.eachLayer((marker) => marker.getElement()?.setAttribute("tabindex", "-1"));
    element.dataset.markerCount = String(data.features.filter((point) => !point.properties.cluster).length);
    element.dataset.clusterCount = String(data.features.filter((point) => point.properties.cluster).length);
    element.dataset.state = "ready";
    return data;
  }

  // From here on, each view loads what it shows (the fit below is the first such view).
  map.on("moveend", () => covered() || load(true));
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

function siteMap(element) {
  const map = baseMap(element);
  L.control.scale({ imperial: false }).addTo(map); // the outlines alone give no sense of distance
  const site = JSON.parse(document.getElementById(element.dataset.site).textContent);
  const points = [[site.latitude, site.longitude]];
  L.circleMarker(points[0], {
    radius: 9,
    color: "#1f2933",
    weight: 2,
    fillColor: site.colour,
    fillOpacity: 0.9,
    className: "project-marker",
  })
    .bindTooltip(text("span", site.name), { permanent: true, direction: "top" })
    .addTo(map);
  for (const substation of site.substations) {
    const point = [substation.latitude, substation.longitude];
    points.push(point);
    L.polyline([points[0], point], { color: "#7b3294", weight: 2, dashArray: "6 4" }).addTo(map);
    L.circleMarker(point, { radius: 6, color: "#7b3294", weight: 2, fillColor: "#ffffff", fillOpacity: 1 })
      .bindTooltip(text("span", [substation.label, substation.distance_label].filter(Boolean).join(" · ")), {
        permanent: true,
        direction: "bottom",
      })
      .addTo(map);
  }
  // close enough to tell the site from its substation, far enough to see the region and its borders
  map.fitBounds(L.latLngBounds(points).pad(0.6), { maxZoom: 9 });
  element.dataset.state = "ready";
}

for (const element of document.querySelectorAll(".map[data-geojson-url]")) projectsMap(element);
for (const element of document.querySelectorAll(".map[data-site]")) siteMap(element);
