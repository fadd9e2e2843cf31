/* The big screen (DASH-1). Runs unattended for days, so nothing here grows: the ticker keeps its
   last TICKER_MAX rows, each chart is created once and updated in place with setOption (only when
   its option changed), the data is fetched on an interval and, debounced, when the stream says
   something changed. The stream
   (EventSource) reconnects by itself after a drop or a server restart and resumes from its
   Last-Event-ID; if the server answered with an error instead (a proxy's 502 during a restart),
   the page opens a new one after RETRY_MS, resuming from the last id it saw. A refused screen
   (token revoked, role lost) stops and says so. */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) return;
  var cfg = root.dataset;
  var REFRESH_MS = (Number(cfg.refresh) || 30) * 1000;
  var DEBOUNCE_MS = 300;
  var RETRY_MS = 5000;
  var TICKER_MAX = 12;
  var REFUSED = { 401: true, 403: true, 404: true };
  var COLORS = ["#4fa3ff", "#3ddc97", "#ffb020", "#f56cff", "#7ee0ff", "#ff7a45", "#b37feb", "#f5d547", "#8ea6c4"];
  var charts = {};
  var stopped = false;
  var source = null;
  var lastEventId = "";
  var pending = null;
  var loading = false;
  var again = false;

  function fit() {
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    document.documentElement.style.setProperty("--scale", String(scale));
  }

  function setStatus(state, text) {
    var el = document.getElementById("status");
    el.dataset.state = state;
    el.textContent = text;
  }

  function tick() {
    var now = new Date();
    document.getElementById("clock").textContent = now.toLocaleString("zh-CN", { hour12: false });
  }

  function pick(data, path) {
    return path.split(".").reduce(function (v, k) { return v == null ? v : v[k]; }, data);
  }

  function show(value, format) {
    if (value === null || value === undefined) return "—";
    if (format === "pct") return Number(value).toFixed(1) + "%";
    return typeof value === "number" ? value.toLocaleString("zh-CN") : String(value);
  }

  function chart(name) {
    if (!charts[name]) {
      var el = root.querySelector('[data-chart="' + name + '"]');
      charts[name] = window.echarts.init(el, "dark", { renderer: "canvas" });
    }
    return charts[name];
  }

  // Most refreshes change few charts (yearly satisfaction, monthly collection): an unchanged
  // option is not handed to ECharts again, which spares the screen's CPU and the compiled code
  // V8 keeps adding for ECharts' update path over days.
  var drawn = {};
  function draw(name, opt) {
    var key = JSON.stringify(opt);
    if (drawn[name] === key) return;
    drawn[name] = key;
    chart(name).setOption(opt);
  }

  var BASE = {
    backgroundColor: "transparent",
    animationDuration: 300,
    animationDurationUpdate: 300,
    textStyle: { fontSize: 14 },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    color: COLORS,
  };

  function option(extra) {
    var o = {};
    Object.keys(BASE).forEach(function (k) { o[k] = BASE[k]; });
    Object.keys(extra).forEach(function (k) { o[k] = extra[k]; });
    return o;
  }

  function hoursChart(h) {
    var labels = [];
    for (var i = 0; i < 24; i++) labels.push(i + ":00");
    var keys = ["people_in", "people_out", "vehicles_in", "vehicles_out"];
    var names = [cfg.tPeopleIn, cfg.tPeopleOut, cfg.tVehiclesIn, cfg.tVehiclesOut];
    draw("hours", option({
      legend: { top: 0, textStyle: { fontSize: 14 } },
      xAxis: { type: "category", data: labels, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: keys.map(function (k, i) {
        return { name: names[i], type: "line", smooth: 0.2, showSymbol: false, data: h[k] };
      }),
    }));
  }

  function barsChart(name, rows) {
    draw(name, option({
      grid: { left: 150, right: 40, top: 8, bottom: 20 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }),
               axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ name: cfg.tCount, type: "bar", data: rows.map(function (r) { return r.n; }),
                 label: { show: true, position: "right" } }],
    }));
  }

  function collectionChart(rows) {
    draw("collection", option({
      xAxis: { type: "category", data: rows.map(function (r) { return r.month.slice(2); }) },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{ name: cfg.tCollection, type: "bar", data: rows.map(function (r) { return r.pct; }) }],
    }));
  }

  function satisfactionChart(rows) {
    draw("satisfaction", option({
      xAxis: { type: "category", data: rows.map(function (r) { return String(r.year); }) },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ name: cfg.tScore, type: "line", data: rows.map(function (r) { return r.score; }),
                 label: { show: true }, areaStyle: { opacity: 0.15 } }],
    }));
  }

  function votes(list) {
    var panel = document.getElementById("votes-panel");
    var ul = document.getElementById("votes");
    var row = document.getElementById("vote-row");
    panel.hidden = list.length === 0;
    ul.replaceChildren.apply(ul, list.slice(0, 4).map(function (v) {
      var li = row.content.firstElementChild.cloneNode(true);
      li.querySelector(".vote-title").textContent = v.community ? v.community + " · " + v.title : v.title;
      li.querySelector(".vote-heads").textContent = show(v.heads_pct, "pct");
      li.querySelector(".vote-area").textContent = show(v.area_pct, "pct");
      return li;
    }));
  }

  function render(data) {
    root.querySelectorAll("[data-key]").forEach(function (el) {
      el.textContent = show(pick(data, el.dataset.key), el.dataset.format);
    });
    var names = data.communities.map(function (c) { return c.name; });
    document.getElementById("communities").textContent = names.length > 1 ? names.join("、") : "";
    votes(data.votes);
    hoursChart(data.charts.hours);
    barsChart("alarms_by_type", data.charts.alarms_by_type);
    barsChart("requests_by_category", data.charts.requests_by_category);
    collectionChart(data.charts.collection);
    satisfactionChart(data.charts.satisfaction);
    root.dataset.renderedAt = data.at;
  }

  function stop(message) {
    stopped = true;
    if (source) source.close();
    setStatus("stopped", message || cfg.tStopped);
  }

  function refresh() {
    if (stopped) return;
    if (loading) { again = true; return; }
    loading = true;
    fetch(cfg.dataUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        return r.json().then(function (body) {
          if (REFUSED[r.status]) { stop(body.message); return; }
          if (r.ok) render(body);
        });
      })
      .catch(function () { /* the next interval tries again */ })
      .finally(function () {
        loading = false;
        if (again) { again = false; soon(); }
      });
  }

  function soon() {
    if (pending === null) pending = setTimeout(function () { pending = null; refresh(); }, DEBOUNCE_MS);
  }

  function addTicker(item) {
    var ul = document.getElementById("ticker");
    var li = document.getElementById("ticker-row").content.firstElementChild.cloneNode(true);
    var at = new Date(item.at);
    li.querySelector("time").textContent = isNaN(at) ? "" : at.toLocaleTimeString("zh-CN", { hour12: false, hour: "2-digit", minute: "2-digit" });
    var tag = li.querySelector(".tag");
    tag.textContent = item.label;
    if (item.severity) tag.classList.add(item.severity);
    li.querySelector(".what").textContent = item.title;
    li.querySelector(".where").textContent = item.building;
    li.classList.add("fresh");
    ul.prepend(li);
    while (ul.children.length > TICKER_MAX) ul.lastElementChild.remove();
  }

  function remember(e) { if (e.lastEventId) lastEventId = e.lastEventId; }

  function connect() {
    if (stopped) return;
    var url = cfg.streamUrl;
    if (lastEventId) url += (url.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + encodeURIComponent(lastEventId);
    source = new EventSource(url);
    source.addEventListener("ready", function (e) {
      remember(e);
      setStatus("live", cfg.tLive);
      soon(); // whatever changed while the stream was down
    });
    source.addEventListener("ticker", function (e) {
      remember(e);
      addTicker(JSON.parse(e.data));
      soon();
    });
    source.addEventListener("changed", function (e) { remember(e); soon(); });
    source.addEventListener("closed", function (e) { stop(JSON.parse(e.data).message); });
    source.onerror = function () {
      if (stopped) return;
      setStatus("reconnecting", cfg.tReconnecting);
      if (source.readyState === EventSource.CLOSED) {
        // Refused or answered with an error: the data request tells which; try again later.
        source = null;
        refresh();
        setTimeout(connect, RETRY_MS);
      }
    };
  }

  fit();
  window.addEventListener("resize", function () {
    fit();
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
  tick();
  setInterval(tick, 1000);
  refresh();
  setInterval(refresh, REFRESH_MS);
  connect();
})();
