#!/usr/bin/env python3
"""An ASP.NET Core base image for machines that cannot reach mcr.microsoft.com.

The .NET SDK builds images on top of a base image it pulls from a registry. Where that registry is out of reach,
this script builds an equivalent base image from a Debian root filesystem (debootstrap) and the ASP.NET Core runtime
installed on this machine, and serves it from a minimal read-only registry on localhost, so that

    python3 deploy/offline/base_image.py build --rootfs /tmp/rootfs --out /tmp/aspnet-oci
    python3 deploy/offline/base_image.py serve --layout /tmp/aspnet-oci --port 5000 &
    BASE_IMAGE=localhost:5000/dotnet/aspnet:10.0 deploy/build-images.sh

produce the same images as with Microsoft's base image (same user, port, entry point). See the README's
Deployment section.
"""
import argparse
import gzip
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

APP_UID = 1654  # the 'app' user of Microsoft's .NET images
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def add_blob(layout, path_or_bytes):
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    if isinstance(path_or_bytes, bytes):
        hex_digest = hashlib.sha256(path_or_bytes).hexdigest()
        with open(os.path.join(blobs, hex_digest), "wb") as f:
            f.write(path_or_bytes)
        size = len(path_or_bytes)
    else:
        hex_digest = sha256_file(path_or_bytes)
        shutil.move(path_or_bytes, os.path.join(blobs, hex_digest))
        size = os.path.getsize(os.path.join(blobs, hex_digest))
    return "sha256:" + hex_digest, size


def layer(layout, work, name, tar_args):
    """Tars (as root, numeric ids), gzips, stores; returns (descriptor, diff_id)."""
    tar_path = os.path.join(work, name + ".tar")
    subprocess.run(["tar", "--numeric-owner", "--owner=0", "--group=0", "--sort=name", "-cf", tar_path, *tar_args],
                   check=True)
    diff_id = "sha256:" + sha256_file(tar_path)
    gz_path = tar_path + ".gz"
    with open(tar_path, "rb") as src, gzip.GzipFile(gz_path, "wb", mtime=0) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    os.remove(tar_path)
    digest, size = add_blob(layout, gz_path)
    return {"mediaType": OCI_LAYER, "digest": digest, "size": size}, diff_id


def prepare_rootfs(rootfs):
    """Adds the non-root 'app' user and the dotnet command, and drops what a runtime image does not need."""
    with open(os.path.join(rootfs, "etc/passwd"), encoding="utf-8") as f:
        has_app = any(line.startswith("app:") for line in f)
    if not has_app:
        with open(os.path.join(rootfs, "etc/passwd"), "a", encoding="utf-8") as f:
            f.write(f"app:x:{APP_UID}:{APP_UID}::/home/app:/bin/sh\n")
        with open(os.path.join(rootfs, "etc/group"), "a", encoding="utf-8") as f:
            f.write(f"app:x:{APP_UID}:\n")
    home = os.path.join(rootfs, "home/app")
    os.makedirs(home, exist_ok=True)
    os.chown(home, APP_UID, APP_UID)
    link = os.path.join(rootfs, "usr/bin/dotnet")
    if not os.path.lexists(link):
        os.symlink("/usr/share/dotnet/dotnet", link)
    for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/info"):
        path = os.path.join(rootfs, junk)
        if os.path.isdir(path):
            for entry in os.listdir(path):
                full = os.path.join(path, entry)
                if os.path.isdir(full) and not os.path.islink(full):
                    shutil.rmtree(full)
                else:
                    os.remove(full)


def runtime_version(dotnet_root):
    versions = sorted(os.listdir(os.path.join(dotnet_root, "shared", "Microsoft.AspNetCore.App")))
    if not versions:
        sys.exit(f"No ASP.NET Core runtime under {dotnet_root}/shared/Microsoft.AspNetCore.App")
    return versions[-1]


def build(args):
    rootfs = os.path.abspath(args.rootfs)
    dotnet_root = os.path.abspath(args.dotnet_root)
    layout = os.path.abspath(args.out)
    if os.path.exists(layout):
        shutil.rmtree(layout)
    os.makedirs(layout)
    prepare_rootfs(rootfs)
    version = runtime_version(dotnet_root)

    with tempfile.TemporaryDirectory() as work:
        base, base_id = layer(layout, work, "rootfs", ["-C", rootfs, "."])
        # Only the runtimes and the host: no SDK in a runtime image.
        parts = [p for p in ("dotnet", "host", "shared", "LICENSE.txt", "ThirdPartyNotices.txt")
                 if os.path.exists(os.path.join(dotnet_root, p))]
        runtime, runtime_id = layer(layout, work, "dotnet", [
            "-C", dotnet_root, "--transform", "s,^,usr/share/dotnet/,", *parts])

    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                f"APP_UID={APP_UID}",
                "ASPNETCORE_HTTP_PORTS=8080",
                "DOTNET_RUNNING_IN_CONTAINER=true",
                f"DOTNET_VERSION={version}",
                f"ASPNET_VERSION={version}",
            ],
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": [base_id, runtime_id]},
        "history": [
            {"created_by": f"debootstrap root filesystem ({os.path.basename(rootfs)})"},
            {"created_by": f"ASP.NET Core runtime {version} from {dotnet_root}"},
        ],
    }
    config_digest, config_size = add_blob(layout, json.dumps(config, separators=(",", ":")).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": config_size},
        "layers": [base, runtime],
    }
    manifest_digest, manifest_size = add_blob(layout, json.dumps(manifest, separators=(",", ":")).encode())
    index = {
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": manifest_digest, "size": manifest_size,
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"org.opencontainers.image.ref.name": args.tag},
        }],
    }
    with open(os.path.join(layout, "index.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=2)
    with open(os.path.join(layout, "oci-layout"), "w", encoding="utf-8") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(f"{layout}: ASP.NET Core {version}, tag {args.tag}, manifest {manifest_digest}, "
          f"layers {base['size'] + runtime['size']} bytes")


class Registry(http.server.BaseHTTPRequestHandler):
    """The read side of the registry API (v2), enough for a client to pull: manifests by tag or digest, blobs."""

    layout = "."
    route = re.compile(r"^/v2/(?P<name>.+)/(?P<kind>manifests|blobs)/(?P<ref>[^/]+)$")

    def do_HEAD(self):
        self.answer(send_body=False)

    def do_GET(self):
        self.answer(send_body=True)

    def answer(self, send_body):
        if self.path.rstrip("/") == "/v2":
            return self.send(200, "application/json", b"{}", send_body)
        match = self.route.match(self.path)
        if not match:
            return self.send(404, "application/json", b'{"errors":[{"code":"NAME_UNKNOWN"}]}', send_body)
        kind, ref = match["kind"], match["ref"]
        media_type = "application/octet-stream"
        if kind == "manifests":
            media_type = OCI_MANIFEST
            if not ref.startswith("sha256:"):
                with open(os.path.join(self.layout, "index.json"), encoding="utf-8") as f:
                    tagged = [m for m in json.load(f)["manifests"]
                              if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref]
                if not tagged:
                    return self.send(404, "application/json", b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', send_body)
                ref = tagged[0]["digest"]
        path = os.path.join(self.layout, "blobs", "sha256", ref.removeprefix("sha256:"))
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", ref) or not os.path.isfile(path):
            return self.send(404, "application/json", b'{"errors":[{"code":"BLOB_UNKNOWN"}]}', send_body)
        with open(path, "rb") as f:
            self.send(200, media_type, f.read(), send_body, digest=ref)

    def send(self, status, media_type, body, send_body, digest=None):
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if digest:
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def serve(args):
    Registry.layout = os.path.abspath(args.layout)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Registry)
    print(f"Serving {Registry.layout} as a read-only registry on localhost:{args.port}", flush=True)
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build", help="build the base image as an OCI layout")
    b.add_argument("--rootfs", required=True, help="a Debian root filesystem (debootstrap --variant=minbase)")
    b.add_argument("--dotnet-root", default="/usr/share/dotnet", help="where the ASP.NET Core runtime is installed")
    b.add_argument("--out", required=True, help="the OCI layout folder to write")
    b.add_argument("--tag", default="10.0")
    s = commands.add_parser("serve", help="serve an OCI layout on localhost as a pull-only registry")
    s.add_argument("--layout", required=True)
    s.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    build(args) if args.command == "build" else serve(args)


if __name__ == "__main__":
    main()
