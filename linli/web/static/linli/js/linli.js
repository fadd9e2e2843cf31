/* The few behaviours the pages need beyond htmx, bound from data attributes so that the
   Content-Security-Policy can forbid inline scripts and event handlers (script-src 'self'). */
(function () {
  "use strict";

  /* <select data-autosubmit>: submit its form on change (the console's community switcher). */
  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.submit();
  });

  /* <input data-select-on-click>: select the whole value on a tap, to copy a share link. */
  document.addEventListener("click", function (event) {
    const field = event.target;
    if (field.matches && field.matches("input[data-select-on-click]")) field.select();
  });

  /* <button data-wechat-pay="id">: inside WeChat, open WeChat Pay (JSAPI) with the parameters in
     the JSON script element `id`; the order page turns to 支付成功 when the payment arrives. */
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button[data-wechat-pay]");
    if (!button || typeof WeixinJSBridge === "undefined") return;
    const params = JSON.parse(document.getElementById(button.getAttribute("data-wechat-pay")).textContent);
    WeixinJSBridge.invoke("getBrandWCPayRequest", params, function () {});
  });

  /* <div data-live-topics="a b" data-live-event="ring">: when one of those outbox topics arrives
     over server-sent events, trigger the htmx event on the element (polling stays the fallback). */
  function listen() {
    const targets = document.querySelectorAll("[data-live-topics]");
    if (!targets.length || !window.EventSource) return;
    const stream = new EventSource("/events/stream");
    targets.forEach(function (target) {
      const event = target.getAttribute("data-live-event") || "live";
      target.getAttribute("data-live-topics").split(/\s+/).filter(Boolean).forEach(function (topic) {
        stream.addEventListener(topic, function () {
          if (window.htmx) window.htmx.trigger(target, event);
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", listen);
  else listen();
})();
