// The interactive maps (docs/maps.md): Leaflet in British National Grid (EPSG:27700, through proj4 and
// Proj4Leaflet), put in place of the static drawing of each [data-module="bng-map"] frame. Its base is
// OS Maps tiles passed on by the service (when it has a key) or the offline base: England, LPAs,
// National Character Areas and LNRS areas from /maps/areas, a box at a time. On the register search,
// the results are drawn from the search's own GeoJSON, and a box drawn (or the area shown) is searched
// by filling the form's "Bounding box" field and sending the form, as a keyboard user can by typing it.
// Without JavaScript, or if a library fails to load, the static drawing and the form stay as they are.

const frames = [...document.querySelectorAll('[data-module="bng-map"]')];
const LIBS = "/assets/maps/";

// The OS Maps API's tile matrix for its *_27700 styles (origin, resolutions); the offline base uses the
// same zoom levels, so the two look alike at every zoom.
const RESOLUTIONS = [896, 448, 224, 112, 56, 28, 14, 7, 3.5, 1.75, 0.875, 0.4375, 0.21875, 0.109375];
const ORIGIN = [-238375, 1376256];
const EPSG_27700 =
  "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy " +
  "+towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs";
const ENGLAND = [[49.85, -6.45], [55.82, 1.77]];

const STYLES = {
  england: { stroke: true, color: "#8e9599", weight: 1, fillColor: "#fbfbf8", fillOpacity: 1 },
  lpa: { color: "#505a5f", weight: 1, dashArray: "5 4", fillOpacity: 0 },
  nca: { color: "#a0652c", weight: 1.5, fillOpacity: 0 },
  lnrs: { color: "#6f4fb4", weight: 1.5, dashArray: "2 4", fillOpacity: 0 },
  boundary: { color: "#00703c", weight: 3, fillColor: "#00703c", fillOpacity: 0.15 },
  parcel: { color: "#1d70b8", weight: 1, fillColor: "#1d70b8", fillOpacity: 0.2 },
  development: { color: "#0b0c0c", weight: 2, fillColor: "#f47738", fillOpacity: 0.9 },
  result: { color: "#d4351c", weight: 2, fillColor: "#d4351c", fillOpacity: 0.25 },
  box: { color: "#1d70b8", weight: 2, dashArray: "6 4", fill: false, interactive: false },
};
const AREA_NAMES = { lpa: "Local planning authorities", nca: "National Character Areas", lnrs: "LNRS areas" };

function script(name) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = LIBS + name;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${name}`));
    document.head.append(s);
  });
}

async function libraries() {
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = LIBS + "leaflet.css";
  document.head.append(css);
  await script("leaflet.js");
  await script("proj4.js");
  await script("proj4leaflet.js");
}

function bngCrs() {
  return new L.Proj.CRS("EPSG:27700", EPSG_27700, {
    resolutions: RESOLUTIONS,
    origin: ORIGIN,
    bounds: L.bounds([-238375, 0], [900000, 1376256]),
  });
}

// The map's view as a box of the British National Grid (metres). The map is drawn in EPSG:27700, so its
// screen is a box of the grid: its corners, from the screen, give the box exactly.
function viewBox(map, crs) {
  const size = map.getSize();
  return gridBox(crs, map.containerPointToLatLng([0, size.y]), map.containerPointToLatLng([size.x, 0]));
}

// The box of the grid with two points (latitude, longitude) at opposite corners.
function gridBox(crs, a, b) {
  const p = crs.projection.project(a), q = crs.projection.project(b);
  return [Math.min(p.x, q.x), Math.min(p.y, q.y), Math.max(p.x, q.x), Math.max(p.y, q.y)];
}

// A box of the grid as a polygon (a rectangle of latitudes and longitudes would be turned on the grid).
function boxPolygon(crs, box, style) {
  const [x0, y0, x1, y1] = box;
  const at = (x, y) => crs.projection.unproject(L.point(x, y));
  return L.polygon([at(x0, y0), at(x0, y1), at(x1, y1), at(x1, y0)], { ...style, pane: "bng-shapes" });
}

// One kind of area of the offline base, fetched for a box three times the view's size and again only when
// the view leaves it or the zoom changes (the server simplifies to the box's size).
function areaLayer(kind, url, crs, frame) {
  const layer = L.geoJSON(null, {
    pane: kind === "england" ? "bng-base" : "overlayPane",
    style: () => STYLES[kind],
    interactive: kind !== "england",
    onEachFeature: (f, l) => {
      if (kind !== "england") l.bindTooltip(`${f.properties.name}`, { sticky: true });
    },
  });
  let have = null, zoom = null, asked = 0;
  layer.refresh = (map) => {
    if (!map.hasLayer(layer)) return;
    const [x0, y0, x1, y1] = viewBox(map, crs);
    if (have && zoom === map.getZoom() && x0 >= have[0] && y0 >= have[1] && x1 <= have[2] && y1 <= have[3]) return;
    if (zoom !== map.getZoom()) layer.clearLayers(); // cut to the old box: its edges would show
    const w = x1 - x0, h = y1 - y0;
    const box = [x0 - w, y0 - h, x1 + w, y1 + h].map((v) => Math.round(v));
    const mine = ++asked;
    fetch(`${url.replace("KIND", kind)}?bbox=${box.join(",")}`)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.statusText))))
      .then((doc) => {
        if (mine !== asked) return;
        layer.clearLayers();
        layer.addData(doc);
        have = box;
        zoom = map.getZoom();
        frame.dataset[`${kind}Features`] = String(doc.features.length);
        frame.dataset[`${kind}Zoom`] = String(zoom);
      })
      .catch(() => {});
  };
  return layer;
}

function start(frame) {
  const cfg = JSON.parse(frame.dataset.map);
  const crs = bngCrs();
  const holder = document.createElement("div");
  holder.className = "bng-live-map";
  holder.setAttribute("role", "region");
  holder.setAttribute("aria-label", cfg.label);
  frame.prepend(holder);
  const map = L.map(holder, { crs, minZoom: 0, maxZoom: RESOLUTIONS.length - 1, zoomSnap: 1 });
  map.createPane("bng-base").style.zIndex = 250;
  map.createPane("bng-shapes").style.zIndex = 450;
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  L.control.scale({ imperial: false }).addTo(map);

  const overlays = {};
  const refreshers = [];
  if (cfg.tiles) {
    const year = new Date().getFullYear();
    L.tileLayer(cfg.tiles, {
      maxZoom: RESOLUTIONS.length - 1,
      maxNativeZoom: cfg.maxNativeZoom,
      bounds: boxPolygon(crs, [-238375, 0, 900000, 1376256], STYLES.box).getBounds(),
      attribution: `Contains OS data &copy; Crown copyright and database rights ${year}`,
    }).addTo(map);
    frame.dataset.base = "os-maps";
  } else {
    const england = areaLayer("england", cfg.areas, crs, frame).addTo(map);
    refreshers.push(england);
    map.attributionControl.addAttribution("Boundaries: ONS, Natural England (OGL); &copy; Crown copyright");
    frame.dataset.base = "offline";
  }
  for (const kind of ["lpa", "nca", "lnrs"]) {
    const layer = areaLayer(kind, cfg.areas, crs, frame);
    overlays[AREA_NAMES[kind]] = layer;
    refreshers.push(layer);
    if (kind === "lpa" && !cfg.tiles) layer.addTo(map);
  }
  L.control.layers(null, overlays, { collapsed: true }).addTo(map);
  const refresh = () => refreshers.forEach((l) => l.refresh(map));
  map.on("moveend overlayadd", refresh);

  const shapes = L.geoJSON(cfg.features, {
    pane: "bng-shapes",
    style: (f) => STYLES[f.properties.kind] || STYLES.boundary,
    pointToLayer: (f, at) => L.circleMarker(at, { ...(STYLES[f.properties.kind] || STYLES.boundary), radius: 8 }),
    onEachFeature: (f, l) => l.bindTooltip(`${f.properties.name}`, { sticky: true }),
  }).addTo(map);

  const found = cfg.search ? searching(frame, map, crs, cfg.search) : null;
  if (cfg.search && cfg.search.bbox) {
    map.fitBounds(boxPolygon(crs, cfg.search.bbox, STYLES.box).getBounds());
  } else if (shapes.getLayers().length) {
    map.fitBounds(shapes.getBounds(), { padding: [30, 30], maxZoom: 9 });
  } else {
    map.fitBounds(ENGLAND);
  }
  refresh();
  if (found) found.then((bounds) => {
    if (bounds && !cfg.search.bbox) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
  });
  frame.classList.add("bng-map-frame--live");
  frame.dataset.ready = "true";
}

// The register search: its results on the map, and a box drawn on it (or the area shown) searched.
function searching(frame, map, crs, search) {
  const form = document.querySelector('form[action$="/register"]');
  const field = form && form.querySelector('[name="bbox"]');
  if (search.bbox) boxPolygon(crs, search.bbox, STYLES.box).addTo(map);
  const send = (box) => {
    if (!field) return;
    field.value = box.map((v) => Math.round(v)).join(",");
    form.requestSubmit ? form.requestSubmit() : form.submit();
  };

  const actions = document.createElement("div");
  actions.className = "govuk-button-group bng-map-actions";
  const draw = document.createElement("button");
  draw.type = "button";
  draw.className = "govuk-button govuk-button--secondary";
  draw.textContent = "Draw a box to search";
  draw.setAttribute("aria-pressed", "false");
  const here = document.createElement("button");
  here.type = "button";
  here.className = "govuk-button govuk-button--secondary";
  here.textContent = "Search the area shown";
  actions.append(draw, here);
  frame.prepend(actions);
  here.addEventListener("click", () => send(viewBox(map, crs)));

  let drawing = false, from = null, rect = null;
  const stop = () => {
    drawing = false;
    from = null;
    map.dragging.enable();
    map.getContainer().classList.remove("bng-live-map--drawing");
    draw.setAttribute("aria-pressed", "false");
    draw.textContent = "Draw a box to search";
  };
  draw.addEventListener("click", () => {
    if (drawing) return stop();
    drawing = true;
    map.dragging.disable();
    map.getContainer().classList.add("bng-live-map--drawing");
    draw.setAttribute("aria-pressed", "true");
    draw.textContent = "Cancel drawing";
  });
  map.on("mousedown", (e) => {
    if (!drawing) return;
    from = e.latlng;
    if (rect) rect.remove();
    rect = null;
  });
  map.on("mousemove", (e) => {
    if (!drawing || !from) return;
    const shape = boxPolygon(crs, gridBox(crs, from, e.latlng), STYLES.box);
    if (rect) rect.setLatLngs(shape.getLatLngs());
    else rect = shape.addTo(map);
  });
  map.on("mouseup", (e) => {
    if (!drawing || !from) return;
    const box = gridBox(crs, from, e.latlng);
    stop();
    if (box[2] - box[0] >= 1 && box[3] - box[1] >= 1) send(box);
  });

  return fetch(search.results)
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.statusText))))
    .then((doc) => {
      const layer = L.geoJSON(doc, {
        pane: "bng-shapes",
        style: () => STYLES.result,
        pointToLayer: (f, at) => L.circleMarker(at, { ...STYLES.result, radius: 7 }),
        onEachFeature: (f, l) => {
          const a = document.createElement("a");
          a.className = "govuk-link";
          a.href = `/register/${encodeURIComponent(f.properties.reference)}`;
          a.textContent = `${f.properties.reference} ${f.properties.name || ""}`;
          l.bindPopup(a);
          l.bindTooltip(a.textContent, { sticky: true });
        },
      }).addTo(map);
      frame.dataset.results = String(doc.features.length);
      return layer.getLayers().length ? layer.getBounds() : null;
    })
    .catch(() => null);
}

if (frames.length) {
  libraries()
    .then(() => frames.forEach(start))
    .catch(() => {}); // the static drawing stays
}
