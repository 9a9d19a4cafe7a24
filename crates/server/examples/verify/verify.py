# Verifies a checkout-server notification in Python 3 (standard library only).
# raw_body: the request body exactly as received (bytes; do not re-serialise parsed JSON).
import hashlib
import hmac
import time


def verify_checkout_signature(raw_body, header, secrets, tolerance_secs=300, now=None):
    t, v1 = None, []
    for part in (header or "").split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise ValueError("malformed signature header")
        if key == "t":
            t = value
        elif key == "v1":
            v1.append(value)
    if t is None or not t.isdigit():
        raise ValueError("no timestamp")
    if not v1:
        raise ValueError("no v1 signature")
    now = time.time() if now is None else now
    if abs(now - int(t)) > tolerance_secs:
        raise ValueError("timestamp outside tolerance")
    for secret in secrets:
        expected = hmac.new(secret.encode(), t.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, given) for given in v1):
            return True
    raise ValueError("signature mismatch")


# python3 verify.py BODY_FILE HEADER SECRET[,SECRET] [NOW_UNIX]: exit 0 when genuine.
if __name__ == "__main__":
    import sys

    body_file, header, secrets = sys.argv[1:4]
    now = float(sys.argv[4]) if len(sys.argv) > 4 else None
    try:
        with open(body_file, "rb") as f:
            verify_checkout_signature(f.read(), header, secrets.split(","), 300, now)
        print("ok")
    except ValueError as e:
        print(e)
        sys.exit(1)
