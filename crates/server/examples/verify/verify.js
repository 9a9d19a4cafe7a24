// Verifies a checkout-server notification in Node.js (no packages needed).
// rawBody: the request body exactly as received (a Buffer; do not re-serialise parsed JSON).
const crypto = require("node:crypto");

function verifyCheckoutSignature(rawBody, header, secrets, toleranceSecs = 300, nowSecs = Date.now() / 1000) {
  let t = null;
  const v1 = [];
  for (const part of String(header || "").split(",")) {
    const i = part.indexOf("=");
    if (i < 0) throw new Error("malformed signature header");
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (key === "t") t = value;
    if (key === "v1") v1.push(value);
  }
  if (!/^[0-9]+$/.test(t || "")) throw new Error("no timestamp");
  if (v1.length === 0) throw new Error("no v1 signature");
  if (Math.abs(nowSecs - Number(t)) > toleranceSecs) throw new Error("timestamp outside tolerance");
  for (const secret of secrets) {
    const expected = crypto.createHmac("sha256", secret).update(`${t}.`).update(rawBody).digest();
    for (const given of v1) {
      const candidate = Buffer.from(given, "hex");
      if (candidate.length === expected.length && crypto.timingSafeEqual(candidate, expected)) return true;
    }
  }
  throw new Error("signature mismatch");
}

module.exports = { verifyCheckoutSignature };

// node verify.js BODY_FILE HEADER SECRET[,SECRET] [NOW_UNIX]: exit 0 when genuine.
if (require.main === module) {
  const [file, header, secrets, now] = process.argv.slice(2);
  try {
    const body = require("node:fs").readFileSync(file);
    const nowSecs = now ? Number(now) : Date.now() / 1000;
    verifyCheckoutSignature(body, header, secrets.split(","), 300, nowSecs);
    console.log("ok");
  } catch (e) {
    console.log(e.message);
    process.exit(1);
  }
}
