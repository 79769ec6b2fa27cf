"""Reads a hearth-publish repository with python-tuf (the TUF reference implementation).

usage: read_with_python_tuf.py METADATA_URL TARGETS_URL BOOTSTRAP_ROOT WORK_DIR TARGET...

Refreshes (root chain, timestamp, snapshot, targets: signatures, thresholds, versions,
expiry), downloads and verifies each TARGET, and prints one JSON object: the trusted root
version, and per target its length, SHA-256 of the downloaded bytes and custom metadata.
Any failure raises, so the exit status is non-zero.
"""

import hashlib
import json
import os
import sys

from tuf.ngclient import Updater


def main() -> None:
    metadata_url, targets_url, bootstrap_path, work, *names = sys.argv[1:]
    metadata_dir = os.path.join(work, "metadata")
    target_dir = os.path.join(work, "targets")
    os.makedirs(metadata_dir, exist_ok=True)
    os.makedirs(target_dir, exist_ok=True)
    with open(bootstrap_path, "rb") as f:
        bootstrap = f.read()
    with open(os.path.join(metadata_dir, "root.json"), "wb") as f:
        f.write(bootstrap)
    updater = Updater(
        metadata_dir,
        metadata_url,
        target_dir,
        targets_url,
        bootstrap=bootstrap,
    )
    updater.refresh()
    result = {"root_version": updater._trusted_set.root.version, "targets": {}}
    for name in names:
        info = updater.get_targetinfo(name)
        if info is None:
            raise SystemExit(f"{name}: not found")
        path = updater.download_target(info)
        with open(path, "rb") as f:
            data = f.read()
        result["targets"][name] = {
            "length": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "custom": info.custom,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
