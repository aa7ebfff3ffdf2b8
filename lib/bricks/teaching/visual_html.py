"""The HTML and JavaScript of `bricks.teaching.visual`'s players (no kernel, no network).

One page element serves both kinds: a plain player (one run of frames: image, six
buttons, a frame slider) and an explorer (several runs keyed by settings, plus one
control per setting: a <select> for names, a range slider for numbers). Everything
rides in the element itself: the distinct frames once each as data URLs, and for
every run the list of its frames' positions in that list, so frames shared by runs
(the untrained network, say) are stored once.

    <div class="bricks-player bricks-explorer" id=...>
      <div class="bricks-settings"> one <label> + control per argument </div>
      <img ...> <div class="bricks-controls"> buttons, frame slider, "3 / 12" </div>
      <script type="application/json" class="bricks-frames"> {...} </script> <script> ... </script>
    </div>

Changing a setting switches to that run in the page: it keeps the frame number (and
keeps playing if it was); at frame 1 it jumps to the last frame, so a change of
setting always shows a result that depends on it.
"""
import base64
import hashlib
import html
import json

__all__ = ["player_html", "explorer_html", "data_url"]

_count = [0]  # players made in this process: two identical animations on one page get distinct ids

_JS = """
(function () {
  var root = document.getElementById("%(uid)s");
  var data = JSON.parse(root.querySelector(".bricks-frames").textContent);
  var img = root.querySelector("img.bricks-frame"), scrub = root.querySelector("input.bricks-scrub"),
      label = root.querySelector(".bricks-label"), timer = null, i = 0, run = data.runs[data.key];
  var sets = root.querySelectorAll("input[data-arg], select[data-arg]");
  function show(k) {
    i = Math.max(0, Math.min(run.length - 1, k));
    img.src = data.frames[run[i]]; scrub.max = run.length - 1; scrub.value = i;
    img.dataset.frame = i; img.dataset.run = data.key;
    label.textContent = (i + 1) + " / " + run.length;
  }
  function pause() { if (timer) { clearInterval(timer); timer = null; } }
  function tick() { if (i >= run.length - 1) { pause(); } else { show(i + 1); } }
  function play() {
    pause();
    if (i >= run.length - 1) { show(0); }
    timer = setInterval(tick, %(interval)d);
  }
  function choose() {
    var key = [];
    sets.forEach(function (c) {
      var k = parseInt(c.value, 10), a = data.args[parseInt(c.dataset.arg, 10)];
      key.push(k);
      var out = root.querySelector("output[data-arg='" + c.dataset.arg + "']");
      if (out) { out.textContent = a.values[k]; }
    });
    data.key = key.join("|"); run = data.runs[data.key];
    show(timer || i > 0 ? i : run.length - 1);
  }
  var acts = {first: function () { pause(); show(0); }, prev: function () { pause(); show(i - 1); },
              play: play, pause: pause, next: function () { pause(); show(i + 1); },
              last: function () { pause(); show(run.length - 1); }};
  root.querySelectorAll("button").forEach(function (b) { b.onclick = acts[b.dataset.act]; });
  scrub.oninput = function () { pause(); show(parseInt(scrub.value, 10)); };
  sets.forEach(function (c) { c.oninput = choose; c.onchange = choose; });
  show(data.start);
})();
"""

# Symbols every common font has (the media-control code points U+23EE.. often show as boxes).
_BUTTONS = [("first", "|&#x25C1;", "First frame"), ("prev", "&#x25C1;", "Previous frame"),
            ("play", "&#x25B6;", "Play"), ("pause", "||", "Pause"),
            ("next", "&#x25B7;", "Next frame"), ("last", "&#x25B7;|", "Last frame")]


def data_url(image, mime="image/png"):
    """`data:` URL of image bytes (PNG unless `mime` says otherwise)."""
    return f"data:{mime};base64," + base64.b64encode(image).decode("ascii")


def _control(k, arg):
    """One labelled control: a range slider over the values' positions for numbers, else a select."""
    name, label, values, start = arg["name"], arg["label"], arg["values"], arg["start"]
    text = html.escape(label)
    if arg["numeric"] and len(values) > 2:
        widget = (f'<input type="range" data-arg="{k}" min="0" max="{len(values) - 1}" step="1" '
                  f'value="{start}" aria-label="{text}" name="{html.escape(name)}">'
                  f'<output data-arg="{k}">{html.escape(values[start])}</output>')
    else:
        options = "".join(f'<option value="{j}"{" selected" if j == start else ""}>{html.escape(v)}</option>'
                          for j, v in enumerate(values))
        widget = f'<select data-arg="{k}" aria-label="{text}" name="{html.escape(name)}">{options}</select>'
    return f'<label class="bricks-setting"><span>{text}</span>{widget}</label>'


def explorer_html(urls, runs, args=(), start_key="", interval=200, width=None, min_text=None,
                  start_frame=0):
    """The HTML of a self-contained player that switches between runs in the page.

    Args:
        urls: the distinct frames, as data URLs.
        runs: {key: [positions in urls]}; a key joins the settings' value positions with "|"
            ("" for a plain player with no settings).
        args: [{"name", "label", "values" (display strings), "numeric", "start"}], one per setting,
            in the order of the key's parts.
        start_key: the run shown first; start_frame: its frame shown first.
        width: CSS pixels of the image at full size (it shrinks to fit the column, never grows).
        min_text: the smallest text in the frames, in CSS px at `width` (for the legibility check).
    """
    run = runs[start_key]
    payload = json.dumps({"frames": list(urls), "runs": runs, "key": start_key, "start": start_frame,
                          "args": [{"name": a["name"], "values": a["values"]} for a in args]},
                         separators=(",", ":"))
    _count[0] += 1
    digest = hashlib.sha1(payload.encode()).hexdigest()[:12]
    uid = f"bricks-player-{digest}-{_count[0]}"
    buttons = "".join(f'<button type="button" data-act="{a}" title="{t}" aria-label="{t}">{s}</button>'
                      for a, s, t in _BUTTONS)
    size = f' width="{int(width)}"' if width else ""
    legible = f' data-min-text="{min_text:.1f}"' if min_text is not None else ""
    settings = ("<div class='bricks-settings'>" + "".join(_control(k, a) for k, a in enumerate(args))
                + "</div>") if args else ""
    kind = "bricks-player bricks-explorer" if args else "bricks-player"
    n = len(run)
    return (f'<div class="{kind}" id="{uid}" data-runs="{len(runs)}"{legible}>{settings}'
            f'<img class="bricks-frame" src="{urls[run[start_frame]]}"{size} '
            f'alt="animation, {n} frames" data-frame="{start_frame}">'
            f'<div class="bricks-controls">{buttons}'
            f'<input class="bricks-scrub" type="range" min="0" max="{n - 1}" value="{start_frame}" '
            f'aria-label="frame">'
            f'<span class="bricks-label">{start_frame + 1} / {n}</span></div>'
            f'<script type="application/json" class="bricks-frames">{payload}</script>'
            f'<script>{_JS % {"uid": uid, "interval": interval}}</script></div>')


def player_html(png_frames, interval=200, width=None, min_text=None):
    """The HTML of a self-contained player for a list of PNG images (bytes).

    One <img>, six buttons (first, previous, play, pause, next, last) and a range
    slider; the frames ride along as base64 data URLs in a JSON script tag, so the
    page needs no kernel, no server and no network.
    """
    urls, runs = _dedupe([data_url(p) for p in png_frames])
    return explorer_html(urls, {"": runs}, interval=interval, width=width, min_text=min_text)


def _dedupe(urls):
    """(distinct urls, position of each input url among them)."""
    seen, distinct, positions = {}, [], []
    for u in urls:
        if u not in seen:
            seen[u] = len(distinct)
            distinct.append(u)
        positions.append(seen[u])
    return distinct, positions
