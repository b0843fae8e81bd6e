// Formatting: money (micro-cents), times, and the edit plan's operations in plain words.

const usd = new Intl.NumberFormat("en-US", {
  style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 6,
});

/** 1,000,000 micro-cents = 1 US dollar (PixelByte's unit). */
export function money(microCents) {
  if (typeof microCents !== "number" || !Number.isFinite(microCents)) return "—";
  return usd.format(microCents / 1e6);
}

export function dateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

export function shortTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay
    ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })
    : d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** Seconds between two ISO times, as "1.2 s" / "3 min 4 s"; "—" when either is missing. */
export function between(fromIso, toIso) {
  if (!fromIso || !toIso) return "—";
  const ms = new Date(toIso).getTime() - new Date(fromIso).getTime();
  return Number.isFinite(ms) ? duration(ms / 1000) : "—";
}

export function duration(seconds) {
  if (seconds < 0 || !Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

const num = (v, digits = 2) => String(Math.round(v * 10 ** digits) / 10 ** digits);
const pct = (v) => `${Math.round(v * 100)}%`;

/** A time in the plan: seconds, negative = from the end. */
function at(t) {
  if (t === null || t === undefined) return null;
  return t < 0 ? `${num(-t)} s before the end` : `${num(t)} s`;
}

function span(start, end) {
  const a = at(start);
  const b = at(end);
  if (a && b) return `from ${a} to ${b}`;
  if (a) return `from ${a} to the end`;
  if (b) return `from the start to ${b}`;
  return "the whole clip";
}

function when(start, end) {
  return start === null && end === null ? "" : ` (${span(start, end)})`;
}

/** The part of the clip an operation acts on: seconds, or a share of the length (before the planner
 * knows the duration). */
function part(op) {
  const p = op.portion;
  if (!p) return span(op.start ?? null, op.end ?? null);
  const whole = p.start === 0 && p.end === 1;
  const range = `${pct(p.start)}–${pct(p.end)} of the clip`;
  if (p.seconds) return `the middle ${num(p.seconds)} s of ${whole ? "the clip" : range}`;
  return range;
}

const timed = (op) => (op.start ?? null) !== null || (op.end ?? null) !== null || Boolean(op.portion);

const words = (s) => String(s).replace(/_/g, " ");
const LOOKS = { black_white: "black & white", teal_orange: "teal & orange" };

/** One operation of the plan in plain words. */
export function describeOp(op) {
  switch (op.op) {
    case "grade":
      return `Colour look: ${LOOKS[op.style] || words(op.style)} (strength ${pct(op.strength ?? 1)})`;
    case "tone": {
      const parts = [];
      if (op.brightness) parts.push(`brightness ${op.brightness > 0 ? "+" : ""}${num(op.brightness)}`);
      if (op.contrast !== undefined && op.contrast !== 1) parts.push(`contrast ×${num(op.contrast)}`);
      if (op.saturation !== undefined && op.saturation !== 1) parts.push(`saturation ×${num(op.saturation)}`);
      if (op.gamma !== undefined && op.gamma !== 1) parts.push(`gamma ${num(op.gamma)}`);
      if (op.exposure) parts.push(`exposure ${op.exposure > 0 ? "+" : ""}${num(op.exposure)} stops`);
      return `Adjust tone: ${parts.join(", ") || "no change"}`;
    }
    case "temperature": return `Colour temperature ${Math.round(op.kelvin)} K`;
    case "invert": return "Invert the colours";
    case "lut": return `Apply the LUT preset “${op.preset}”`;
    case "blur": return `Blur the frame (strength ${pct(op.strength)})`;
    case "sharpen": return `Sharpen (strength ${pct(op.strength)})`;
    case "denoise": return `Reduce noise (strength ${pct(op.strength)})`;
    case "vignette": return `Darken the corners (strength ${pct(op.strength)})`;
    case "grain": return `Film grain (strength ${pct(op.strength)})`;
    case "pixelate": return `Pixelate (${op.block} px blocks)`;
    case "glow": return `Soft glow (strength ${pct(op.strength)})`;
    case "trim": return `Keep ${part(op)}`;
    case "cut": return `Remove ${part(op)}`;
    case "speed":
      return op.factor >= 1 ? `Speed up ×${num(op.factor)}` : `Slow down to ×${num(op.factor)}`;
    case "reverse": return "Play backwards";
    case "loop": return `Play the clip ${op.count} times`;
    case "boomerang": return "Boomerang (forward, then backward)";
    case "freeze":
      return `Hold the frame at ${op.at < 0 ? "the end" : at(op.at)} for ${num(op.duration)} s`;
    case "aspect": {
      const mode = { crop: "crop", pad_blur: "blurred bars", pad_black: "black bars" }[op.mode] || words(op.mode);
      return `Aspect ratio ${op.ratio} (${mode})`;
    }
    case "resize":
      if (op.scale) return `Resize ×${num(op.scale)}`;
      return `Resize to ${op.width ?? "auto"} × ${op.height ?? "auto"}`;
    case "rotate": return `Rotate ${op.degrees}° clockwise`;
    case "flip": return `Mirror ${op.direction}ly`;
    case "zoom": return op.slow ? `Slow push-in to ×${num(op.factor)}` : `Zoom in ×${num(op.factor)}`;
    case "fade":
      return `Fade ${op.direction === "in" ? "in from" : "out to"} black (${num(op.duration)} s)`;
    case "mute": return timed(op) ? `Silence the audio ${part(op)}` : "Remove the audio";
    case "volume":
      return `Volume ${op.gain_db > 0 ? "+" : ""}${num(op.gain_db, 1)} dB${timed(op) ? ` (${part(op)})` : ""}`;
    case "normalize": return `Normalise loudness to ${num(op.target_lufs, 1)} LUFS`;
    case "audio_fade": return `Fade the audio ${op.direction} (${num(op.duration)} s)`;
    case "text":
      return `Text “${op.text}” at the ${words(op.position)}${when(op.start, op.end)}`;
    case "overlay":
      return `Image #${(op.image_index ?? 0) + 1} at the ${words(op.position)} ` +
        `(${pct(op.scale)} of the width)${when(op.start, op.end)}`;
    default: {
      const rest = Object.entries(op)
        .filter(([k]) => !["op", "source", "confidence"].includes(k))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      return `${words(op.op || "operation")}${rest.length ? " (" + rest.join(", ") + ")" : ""}`;
    }
  }
}
