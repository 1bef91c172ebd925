// Signature pad for the signing portal: draws with mouse, pen or finger (pointer events)
// on every <canvas data-signature-pad>. The page reads the drawing with
// window.wsSignaturePad.data(id), which returns a PNG data URL, or "" when nothing is drawn.
(function () {
  var INK = "#111840";

  function fit(canvas) {
    var rect = canvas.getBoundingClientRect();
    if (!rect.width || !rect.height) return;
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 2.6;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    canvas.dataset.empty = "1";
  }

  function point(canvas, event) {
    var rect = canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  function setup(canvas) {
    if (canvas.dataset.ready) return;
    canvas.dataset.ready = "1";
    canvas.style.touchAction = "none";
    fit(canvas);
    new ResizeObserver(function () {
      if (canvas.dataset.empty !== "0") fit(canvas);
    }).observe(canvas);
    var drawing = false;
    var last = null;
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      last = point(canvas, event);
      var ctx = canvas.getContext("2d");
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.3, 0, 2 * Math.PI);
      ctx.fill();
      canvas.dataset.empty = "0";
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var next = point(canvas, event);
      var ctx = canvas.getContext("2d");
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      last = next;
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      canvas.addEventListener(type, function () {
        drawing = false;
      });
    });
  }

  window.wsSignaturePad = {
    init: function () {
      document.querySelectorAll("canvas[data-signature-pad]").forEach(setup);
    },
    clear: function (id) {
      var canvas = document.getElementById(id);
      if (!canvas) return;
      canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
      canvas.dataset.empty = "1";
    },
    data: function (id) {
      var canvas = document.getElementById(id);
      if (!canvas || canvas.dataset.empty !== "0") return "";
      return canvas.toDataURL("image/png");
    },
  };
  new MutationObserver(window.wsSignaturePad.init).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  window.wsSignaturePad.init();
})();
