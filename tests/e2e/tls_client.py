#!/usr/bin/env python3
"""An independent TLS client against `tejido serve --listen`.

Python's ssl module (OpenSSL underneath, but none of Tejido's code) and the `cryptography`
package check that the server speaks TLS 1.3 only, presents a self-signed Ed25519 certificate
whose key is the store's node key, and asks the client for a certificate. If the `openssl`
command is there, `openssl s_client -tls1_3` is run as a second client.

    python3 tests/e2e/tls_client.py --tejido PATH_TO_BINARY
"""
import argparse
import datetime
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_decode(text):
    """The 32 data bytes of a Bech32 string (checksum checked)."""
    hrp, data = text.rsplit("1", 1)
    values = [CHARSET.index(c) for c in data]
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + values:
        b = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    if chk != 1:
        raise ValueError("bad bech32 checksum")
    acc, bits, out = 0, 0, []
    for v in values[:-6]:
        acc = (acc << 5) | v
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)


failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def client_identity(directory):
    key = ed25519.Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "independent client")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, None))
    cert_path, key_path = os.path.join(directory, "client.pem"), os.path.join(directory, "client.key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tejido", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tejido-tls-")
    server = None
    try:
        store = os.path.join(work, "store")
        subprocess.run([args.tejido, "init", "--network", "tls", "--store", store], check=True, capture_output=True)
        node_key = json.loads(subprocess.run([args.tejido, "key", "show", "--json", "--store", store], check=True,
                                             capture_output=True, text=True).stdout)["key"]
        server = subprocess.Popen([args.tejido, "serve", "--listen", "127.0.0.1:0", "--allow", "any", "--json", "--store", store],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        host, port = json.loads(server.stdout.readline())["address"].rsplit(":", 1)
        port = int(port)

        # TLS 1.3 with a client certificate: the handshake completes.
        cert_path, key_path = client_identity(work)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.load_cert_chain(cert_path, key_path)
        with socket.create_connection((host, port), timeout=10) as raw, ctx.wrap_socket(raw) as tls:
            check(tls.version() == "TLSv1.3", "the server speaks TLS 1.3 (got %s)" % tls.version())
            der = tls.getpeercert(binary_form=True)
            cert = x509.load_der_x509_certificate(der)
            pub = cert.public_key()
            check(isinstance(pub, ed25519.Ed25519PublicKey), "the server's certificate holds an Ed25519 key")
            raw_key = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            check(raw_key == bech32_decode(node_key), "that key is the store's node key")
            check(cert.issuer == cert.subject, "the certificate is self-signed")
            try:
                pub.verify(cert.signature, cert.tbs_certificate_bytes)
                self_signed_ok = True
            except Exception:
                self_signed_ok = False
            check(self_signed_ok, "its self-signature verifies")

        # TLS 1.2 is refused.
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname = False
        old.verify_mode = ssl.CERT_NONE
        old.maximum_version = ssl.TLSVersion.TLSv1_2
        old.load_cert_chain(cert_path, key_path)
        try:
            with socket.create_connection((host, port), timeout=10) as raw, old.wrap_socket(raw):
                check(False, "a TLS 1.2 client is refused")
        except (ssl.SSLError, ConnectionResetError, OSError):
            check(True, "a TLS 1.2 client is refused")

        # Without a client certificate the server does not go on.
        bare = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        bare.check_hostname = False
        bare.verify_mode = ssl.CERT_NONE
        try:
            with socket.create_connection((host, port), timeout=10) as raw, bare.wrap_socket(raw) as tls:
                tls.sendall(b"\x00\x00\x00\x01\x80")
                got = tls.recv(1)
                check(got == b"", "a client without a certificate is dropped")
        except (ssl.SSLError, ConnectionResetError, OSError):
            check(True, "a client without a certificate is dropped")

        if shutil.which("openssl"):
            out = subprocess.run(["openssl", "s_client", "-tls1_3", "-connect", "%s:%d" % (host, port), "-cert", cert_path,
                                  "-key", key_path], input="", capture_output=True, text=True, timeout=20).stdout
            check("TLSv1.3" in out, "openssl s_client negotiates TLSv1.3")
            check("ed25519" in out.lower(), "openssl s_client sees an Ed25519 server signature")
        else:
            print("skip  openssl s_client (no openssl command)")
        check(server.poll() is None, "the server is still serving")
    finally:
        if server and server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("tls client test: FAIL (%d)" % len(failures))
        sys.exit(1)
    print("tls client test: PASS")


if __name__ == "__main__":
    main()
