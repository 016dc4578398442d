#!/usr/bin/python3
"""RTSP camera emulator for tests: serves MP4 clips over RTSP on 127.0.0.1.

Each mount point plays its clip once, in real time, from the start for every
new client (the media is not shared between clients). The H.264 or H.265
stream is sent as is, without re-encoding. Optional basic or digest auth
rejects clients without the configured user and password (401).

Run it with the Debian interpreter (/usr/bin/python3), which has the
GStreamer bindings (python3-gi, gir1.2-gst-rtsp-server-1.0):

    /usr/bin/python3 rtsp-server.py --port 8554 \
        --mount /cam1 h264 /tmp/clip.mp4 --mount /cam2 h265 /tmp/clip265.mp4

It prints "ready <port>" on stdout once the server is attached.
"""

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PAYLOADERS = {
    "h264": "h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96",
    "h265": "h265parse config-interval=-1 ! rtph265pay name=pay0 pt=96",
}

ROLE = "user"


def parse_args(argv):
    parser = argparse.ArgumentParser(description="RTSP camera emulator for tests")
    parser.add_argument("--port", type=int, required=True, help="TCP port to listen on (127.0.0.1)")
    parser.add_argument(
        "--mount",
        nargs=3,
        action="append",
        required=True,
        metavar=("PATH", "CODEC", "CLIP"),
        help="mount point (e.g. /cam1), codec (h264 or h265) and MP4 file; repeatable",
    )
    parser.add_argument("--user", help="user name required by the server (enables auth)")
    parser.add_argument("--password", help="password required by the server")
    parser.add_argument("--auth", choices=("basic", "digest"), default="basic", help="auth method (default basic)")
    return parser.parse_args(argv)


def launch_line(codec, clip):
    if codec not in PAYLOADERS:
        raise SystemExit(f"invalid codec {codec!r}: expected one of {sorted(PAYLOADERS)}")
    location = clip.replace('"', '\\"')
    return f'( filesrc location="{location}" ! qtdemux ! {PAYLOADERS[codec]} )'


def make_auth(args):
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, ROLE)
    if args.auth == "digest":
        auth.add_digest(args.user, args.password, token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    else:
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
    return auth


def allow_role(factory):
    structure = Gst.Structure.new_empty(ROLE)
    structure.set_value(GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
    structure.set_value(GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
    factory.add_role_from_structure(structure)


def build_server(args):
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    use_auth = args.user is not None
    if use_auth:
        if args.password is None:
            raise SystemExit("--password is required with --user")
        server.set_auth(make_auth(args))
    mounts = server.get_mount_points()
    for path, codec, clip in args.mount:
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(codec, clip))
        factory.set_shared(False)
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        if use_auth:
            allow_role(factory)
        mounts.add_factory(path, factory)
    return server


def main(argv):
    Gst.init(None)
    args = parse_args(argv)
    server = build_server(args)
    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        raise SystemExit(f"failed to listen on 127.0.0.1:{args.port}")
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"ready {args.port}", flush=True)
    loop.run()


if __name__ == "__main__":
    main(sys.argv[1:])
