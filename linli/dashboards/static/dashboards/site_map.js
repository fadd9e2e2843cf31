/* The site map (DASH-2) and the street map, drawn as SVG from JSON (linli/dashboards/map_data.py).

   <div data-site-map data-map="{json}" | data-src="/api/…/map"> draws read-only (the big screen
   embeds it through templates/dashboards/_site_map.html; data-refresh="30" re-reads data-src).
   With data-save-url it is arranged in the console: pins are dragged with mouse or touch (pointer
   events) from the list of unplaced objects onto the plan and across it, or selected and moved
   with the arrow keys (Shift: further); each drop is saved with a PUT and reverted if refused.
   No inline script or style (the Content-Security-Policy forbids them): every word shown comes
   from the JSON's labels or the template's data attributes, in the reader's language. */
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const STEP = 0.01;
  const clamp = function (v) { return Math.min(1, Math.max(0, v)); };
  const round = function (v) { return Math.round(v * 10000) / 10000; };

  function make(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function send(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw data;
        return data;
      });
    });
  }

  function parse(text) {
    try { return JSON.parse(text || "null"); } catch (e) { return null; }
  }

  /* Everything the map shows, as one list of pins: {key, kind, id, name, x, y, tone, title}. */
  function pinsOf(data, labels) {
    const t = labels || {};
    const joined = function (parts) { return parts.filter(Boolean).join(" · "); };
    const counts = function (o) { return Object.keys(o || {}).reduce(function (n, k) { return n + o[k]; }, 0); };
    const pins = [];
    (data.buildings || []).forEach(function (b) {
      pins.push({ key: "building:" + b.id, kind: "building", id: b.id, name: b.name, x: b.x, y: b.y, tone: b.tone,
        title: joined([b.name, (t.houses || "") + " " + b.houses.houses,
          (t.alarms || "") + " " + counts(b.alarms), (t.requests || "") + " " + b.requests.open,
          b.requests.overdue ? (t.overdue || "") + " " + b.requests.overdue : ""]) });
    });
    (data.points || []).forEach(function (p) {
      pins.push({ key: "access_point:" + p.id, kind: "access_point", id: p.id, name: p.name, x: p.x, y: p.y,
        tone: "neutral", title: joined([p.name, p.kind_label]) });
    });
    (data.devices || []).forEach(function (d) {
      pins.push({ key: "device:" + d.id, kind: "device", id: d.id, name: d.name, x: d.x, y: d.y,
        tone: d.online ? d.tone : "offline",
        title: joined([d.name, d.kind_label, d.online ? "" : t.offline, d.alarms ? (t.alarms || "") + " " + d.alarms : ""]) });
    });
    (data.communities || []).forEach(function (c) {
      pins.push({ key: "community:" + c.id, kind: "community", id: c.id, name: c.name, x: c.x, y: c.y, tone: c.tone,
        title: joined([c.name, c.street, (t.alarms || "") + " " + c.alarms, (t.requests || "") + " " + c.requests.open,
          c.requests.overdue ? (t.overdue || "") + " " + c.requests.overdue : ""]) });
    });
    return pins;
  }

  function MapBoard(root) {
    this.root = root;
    this.saveUrl = root.getAttribute("data-save-url") || "";
    this.editable = Boolean(this.saveUrl);
    this.labels = parse(root.getAttribute("data-labels")) || {};
    this.status = root.querySelector("[data-map-status]");
    this.list = root.querySelector("[data-unplaced]");
    this.canvas = root.querySelector("[data-map-canvas]") || root;
    this.svg = make("svg", { class: "site-map-svg", role: "group", "aria-label": root.getAttribute("data-title") || "" });
    this.canvas.appendChild(this.svg);
    this.selected = null;
    this.drawing = null; // the outline's points while drawing
    this.timer = 0;
    this.moving = {}; // where pins moved by the keyboard were, until their move is saved
    this.bind();
  }

  MapBoard.prototype.load = function (data) {
    this.data = data;
    this.labels = data.labels || this.labels;
    this.plan = data.plan || { width: 1000, height: 700, outline: [] };
    this.image = data.image_url || this.root.getAttribute("data-image") || "";
    if (data.editable === false) this.editable = false;
    this.pins = pinsOf(data, this.labels);
    this.render();
  };

  MapBoard.prototype.fetch = function () {
    const self = this;
    return fetch(this.root.getAttribute("data-src"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && !self.dragging) self.load(data); })
      .catch(function () { /* the next refresh tries again */ });
  };

  MapBoard.prototype.size = function () {
    return Math.max(this.plan.width, this.plan.height) / 60;
  };

  MapBoard.prototype.render = function () {
    const W = this.plan.width, H = this.plan.height, svg = this.svg, r = this.size();
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    make("rect", { class: "plan-ground", x: 0, y: 0, width: W, height: H }, svg);
    if (this.image) make("image", { href: this.image, x: 0, y: 0, width: W, height: H }, svg);
    if (this.data.communities) this.roads(svg, W, H);
    const outline = this.drawing || this.plan.outline || [];
    if (outline.length) {
      make(this.drawing ? "polyline" : "polygon", {
        class: this.drawing ? "plan-outline drawing" : "plan-outline",
        points: outline.map(function (p) { return p[0] * W + "," + p[1] * H; }).join(" "),
      }, svg);
    }
    const self = this;
    this.pins.filter(function (p) { return p.x !== null && p.x !== undefined; }).forEach(function (pin) {
      const g = make("g", {
        class: "pin pin-" + pin.kind + " tone-" + pin.tone + (self.selected === pin.key ? " selected" : ""),
        transform: "translate(" + pin.x * W + " " + pin.y * H + ")",
        tabindex: 0, role: "button", "aria-label": pin.title, "data-pin": pin.key,
      }, svg);
      make("title", {}, g).textContent = pin.title;
      if (pin.kind === "building" || pin.kind === "community") {
        make("rect", { x: -r, y: -r * 0.75, width: 2 * r, height: 1.5 * r, rx: r * 0.25 }, g);
      } else if (pin.kind === "access_point") {
        make("path", { d: "M0 " + -r * 0.8 + " L" + r * 0.8 + " 0 L0 " + r * 0.8 + " L" + -r * 0.8 + " 0 Z" }, g);
      } else {
        make("circle", { r: r * 0.5 }, g);
      }
      const label = make("text", { y: (pin.kind === "device" ? r * 0.5 : r * 0.75) + r * 0.9, "font-size": r * 0.8 }, g);
      label.textContent = pin.name;
    });
    if (this.list) this.renderList();
  };

  /* The street map's plain street plan: a few main roads, for the eye only. */
  MapBoard.prototype.roads = function (svg, W, H) {
    const g = make("g", { class: "roads" }, svg);
    [0.18, 0.5, 0.82].forEach(function (y) { make("line", { x1: 0, y1: y * H, x2: W, y2: y * H }, g); });
    [0.12, 0.38, 0.62, 0.88].forEach(function (x) { make("line", { x1: x * W, y1: 0, x2: x * W, y2: H }, g); });
  };

  MapBoard.prototype.renderList = function () {
    const list = this.list;
    while (list.firstChild) list.removeChild(list.firstChild);
    const kinds = this.labels.kinds || {};
    this.pins.filter(function (p) { return p.x === null || p.x === undefined; }).forEach(function (pin) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "unplaced pin-" + pin.kind;
      button.setAttribute("data-unplaced-pin", pin.key);
      button.textContent = pin.name + (kinds[pin.kind] ? " · " + kinds[pin.kind] : "");
      li.appendChild(button);
      list.appendChild(li);
    });
    const empty = this.root.querySelector("[data-unplaced-empty]");
    if (empty) empty.hidden = list.children.length > 0;
  };

  MapBoard.prototype.pin = function (key) {
    return this.pins.filter(function (p) { return p.key === key; })[0] || null;
  };

  /* The point under the pointer as fractions of the plan, or null when outside the plan. */
  MapBoard.prototype.fraction = function (event) {
    const matrix = this.svg.getScreenCTM();
    if (!matrix) return null;
    const point = this.svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const at = point.matrixTransform(matrix.inverse());
    const x = at.x / this.plan.width, y = at.y / this.plan.height;
    return x < 0 || x > 1 || y < 0 || y > 1 ? null : { x: round(x), y: round(y) };
  };

  MapBoard.prototype.say = function (text) {
    if (this.status) this.status.textContent = text || "";
  };

  /* Saves a pin at (x, y); refused, it goes back to `from` (by default where it was). */
  MapBoard.prototype.save = function (pin, x, y, from) {
    const self = this, before = from || { x: pin.x, y: pin.y };
    pin.x = x;
    pin.y = y;
    this.render();
    const url = this.saveUrl.replace("/0/", "/" + pin.id + "/");
    const body = pin.kind === "community" ? { x: x, y: y } : { kind: pin.kind, object_id: pin.id, x: x, y: y };
    return send("PUT", url, body).then(function () {
      self.say(self.root.getAttribute("data-saved") || "");
      self.root.setAttribute("data-last-saved", pin.key);
    }).catch(function (error) {
      pin.x = before.x;
      pin.y = before.y;
      self.render();
      self.say((error && error.message) || self.root.getAttribute("data-failed") || "");
    });
  };

  MapBoard.prototype.select = function (key, focus) {
    this.selected = key;
    this.render();
    const node = this.svg.querySelector('[data-pin="' + key + '"]');
    if (node && focus) node.focus();
  };

  /* A pin chosen (tap or Enter): a building opens its panel, a community its own map. */
  MapBoard.prototype.open = function (pin) {
    const panel = document.querySelector(this.root.getAttribute("data-panel") || "#map-panel");
    const panelUrl = this.root.getAttribute("data-panel-url");
    const pageUrl = this.root.getAttribute("data-page-url");
    if (pin.kind === "building" && panelUrl && panel) {
      fetch(panelUrl.replace("/0/", "/" + pin.id + "/"), { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (html) { panel.innerHTML = html; panel.hidden = false; } });
    } else if (pin.kind === "community" && pageUrl) {
      window.location.assign(pageUrl.replace("/0/", "/" + pin.id + "/"));
    }
  };

  MapBoard.prototype.bind = function () {
    const self = this, svg = this.svg;
    let drag = null; // {pin, moved, startX, startY, id, fromList}

    svg.addEventListener("pointerdown", function (event) {
      const node = event.target.closest ? event.target.closest("[data-pin]") : null;
      if (!node || self.drawing) return;
      const pin = self.pin(node.getAttribute("data-pin"));
      drag = { pin: pin, moved: false, startX: event.clientX, startY: event.clientY, id: event.pointerId };
      if (self.editable) {
        svg.setPointerCapture(event.pointerId);
        event.preventDefault();
      }
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag || drag.fromList || !self.editable || event.pointerId !== drag.id) return;
      if (!drag.moved && Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) < 4) return;
      drag.moved = true;
      self.dragging = true;
      const at = self.fraction(event);
      if (!at) return;
      const node = svg.querySelector('[data-pin="' + drag.pin.key + '"]');
      if (node) node.setAttribute("transform", "translate(" + at.x * self.plan.width + " " + at.y * self.plan.height + ")");
      drag.at = at;
    });
    svg.addEventListener("pointerup", function (event) {
      if (drag && !drag.fromList && event.pointerId === drag.id) {
        const done = drag;
        drag = null;
        self.dragging = false;
        if (done.moved && done.at) self.save(done.pin, done.at.x, done.at.y);
        else if (!done.moved) { self.select(done.pin.key, false); self.open(done.pin); }
        return;
      }
      if (self.drawing) {
        const at = self.fraction(event);
        if (at) { self.drawing.push([at.x, at.y]); self.render(); }
      }
    });
    svg.addEventListener("pointercancel", function () { drag = null; self.dragging = false; self.render(); });

    /* From the list of unplaced objects onto the plan: drag, or Enter to put it in the middle. */
    this.root.addEventListener("pointerdown", function (event) {
      const button = event.target.closest ? event.target.closest("[data-unplaced-pin]") : null;
      if (!button || !self.editable) return;
      drag = { pin: self.pin(button.getAttribute("data-unplaced-pin")), fromList: true, id: event.pointerId,
        startX: event.clientX, startY: event.clientY, moved: false };
      self.dragging = true;
      event.preventDefault();
    });
    document.addEventListener("pointermove", function (event) {
      if (drag && drag.fromList && event.pointerId === drag.id) {
        drag.moved = drag.moved || Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) >= 4;
        self.root.classList.toggle("dropping", drag.moved);
      }
    });
    document.addEventListener("pointerup", function (event) {
      if (!drag || !drag.fromList || event.pointerId !== drag.id) return;
      const done = drag;
      drag = null;
      self.dragging = false;
      self.root.classList.remove("dropping");
      const at = self.fraction(event);
      if (done.moved && at) self.save(done.pin, at.x, at.y).then(function () { self.select(done.pin.key, true); });
      else if (!done.moved) self.save(done.pin, 0.5, 0.5).then(function () { self.select(done.pin.key, true); });
    });

    /* Keyboard: Enter or Space opens a pin, the arrow keys move the selected one. */
    svg.addEventListener("keydown", function (event) {
      const node = event.target.closest ? event.target.closest("[data-pin]") : null;
      if (!node) return;
      const pin = self.pin(node.getAttribute("data-pin"));
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        self.select(pin.key, true);
        self.open(pin);
        return;
      }
      const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (!self.editable || !moves[event.key]) return;
      event.preventDefault();
      const step = event.shiftKey ? STEP * 5 : STEP;
      const from = self.moving[pin.key] || (self.moving[pin.key] = { x: pin.x, y: pin.y });
      pin.x = round(clamp(pin.x + moves[event.key][0] * step));
      pin.y = round(clamp(pin.y + moves[event.key][1] * step));
      self.select(pin.key, true);
      window.clearTimeout(self.timer);
      self.timer = window.setTimeout(function () {
        delete self.moving[pin.key];
        self.save(pin, pin.x, pin.y, from).then(function () { self.select(pin.key, true); });
      }, 400);
    });

    /* Drawing the outline: each tap on the plan adds a corner; save or cancel. */
    this.root.addEventListener("click", function (event) {
      const action = event.target.closest ? event.target.closest("[data-outline]") : null;
      if (!action) return;
      const what = action.getAttribute("data-outline");
      if (what === "start") { self.drawing = []; self.root.classList.add("drawing"); self.render(); }
      if (what === "cancel") { self.drawing = null; self.root.classList.remove("drawing"); self.render(); }
      if (what === "save" && self.drawing) {
        const points = self.drawing;
        send("PUT", self.root.getAttribute("data-outline-url"), { points: points }).then(function (plan) {
          self.drawing = null;
          self.root.classList.remove("drawing");
          self.plan.outline = plan.outline;
          self.render();
          self.say(self.root.getAttribute("data-saved") || "");
        }).catch(function (error) { self.say((error && error.message) || self.root.getAttribute("data-failed") || ""); });
      }
    });
  };

  function start() {
    document.querySelectorAll("[data-site-map]").forEach(function (root) {
      const board = new MapBoard(root);
      const inline = parse(root.getAttribute("data-map"));
      if (inline) board.load(inline);
      if (root.getAttribute("data-src")) {
        if (!inline) board.fetch();
        const every = parseInt(root.getAttribute("data-refresh") || "0", 10);
        if (every > 0) window.setInterval(function () { board.fetch(); }, every * 1000);
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
