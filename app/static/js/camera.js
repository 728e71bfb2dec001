// A camera button for one field of a form (the receiving form's item code): the first code the
// camera reads goes into that field, as a USB scanner's would, and a "change" event lets gs1.js
// fill in the lot, expiry and serial a GS1 code carries. Then the camera stops and the next field
// gets the focus. Decoding is BarcodeDetector's, or its npm polyfill's (ZXing WebAssembly).
(function () {
  "use strict";
  var FORMATS = ["data_matrix", "qr_code", "code_128", "ean_13", "ean_8", "upc_a", "upc_e", "code_39", "itf"];

  function detector(wasm) {
    if (wasm && window.BarcodeDetectionAPI && window.BarcodeDetectionAPI.prepareZXingModule) {
      window.BarcodeDetectionAPI.prepareZXingModule({
        overrides: { locateFile: function (path, prefix) { return path.endsWith(".wasm") ? wasm : prefix + path; } },
      });
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (supported) {
      var formats = FORMATS.filter(function (f) { return supported.indexOf(f) >= 0; });
      return new window.BarcodeDetector({ formats: formats.length ? formats : ["qr_code"] });
    });
  }

  function attach(button) {
    var field = document.getElementById(button.dataset.cameraFor);
    var video = document.getElementById(button.dataset.cameraVideo);
    var status = document.getElementById(button.dataset.cameraStatus);
    var stream = null;

    function say(text) { if (status) status.textContent = text; }

    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
      button.hidden = false;
    }

    function read(found) {
      field.value = found;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
      stop();
      say("Read " + found.replace(/\x1d/g, " "));
      var fields = Array.prototype.slice.call(field.form.querySelectorAll("input:not([type=hidden]), select, textarea"));
      var next = fields[fields.indexOf(field) + 1];
      if (next) next.focus();
    }

    function tick(made) {
      if (!stream) return;
      var again = function () { setTimeout(function () { tick(made); }, 150); };
      if (video.readyState < 2) return again();
      made.detect(video).then(function (codes) {
        if (codes.length) read(codes[0].rawValue);
        else again();
      }, again);
    }

    button.addEventListener("click", function () {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.BarcodeDetector) {
        say("This browser cannot read codes with its camera here. Use a USB scanner or type the code.");
        return;
      }
      say("Starting the camera…");
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          button.hidden = true;
          return video.play().then(function () { return detector(button.dataset.wasmUrl); });
        })
        .then(function (made) {
          say("Hold the code in front of the camera.");
          tick(made);
        })
        .catch(function (error) {
          stop();
          say("The camera could not start (" + (error && error.name ? error.name : error) + ").");
        });
    });
  }

  document.querySelectorAll("button[data-camera-for]").forEach(attach);
})();
