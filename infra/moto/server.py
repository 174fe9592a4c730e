"""moto_server with two fixes, for the local stack and the tests.

1. /moto-api/data.json (where the tests read the mail SES sent) answers 500
while any model object still tracked refers to a bucket deleted since: an S3
key's `status` raises NoSuchBucket, which moto's dump does not catch. Tests
delete their buckets all the time, so any test reading SES's mail could fail
while another cleaned up. Here an attribute that raises anything is left out
of the dump, as moto already does for a TypeError.

2. SQS:

moto computes a queue's whole attribute map, including three counts that walk
every message in the queue, for each message it sends (it only wants
ContentBasedDeduplication). Sending n messages into a queue is then O(n^2):
1,000 messages took 47 s on a FIFO queue. SQS itself has no such cost, so the
local stack should not either. Here the attribute map is computed on demand:
reading one attribute computes that one. Everything else is moto as installed.

Run as `python3 infra/moto/server.py -H 127.0.0.1 -p 5000` (moto.server's flags).
"""

from collections.abc import Mapping

from moto.sqs import models


class _LazyAttributes(Mapping):
    """A queue's attributes, each computed when read (moto's own getters)."""

    def __init__(self, queue):
        self._queue = queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        for extra in ("Policy", "RedrivePolicy"):
            if getattr(queue, models.camelcase_to_underscores(extra)) and extra not in names:
                names.append(extra)
        self._names = names

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        q = self._queue
        value = getattr(q, models.camelcase_to_underscores(name))
        if name == "RedrivePolicy" and value:
            value = models.json.dumps(value)
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def __eq__(self, other):
        return dict(self.items()) == (dict(other.items()) if isinstance(other, Mapping) else other)


def _attributes(self):
    return _LazyAttributes(self)


def _patch():
    # Only where moto's Queue is shaped as this was written for (moto 5.x);
    # otherwise run moto as installed, slower but correct.
    needed = ("BASE_ATTRIBUTES", "FIFO_ATTRIBUTES", "KMS_ATTRIBUTES", "attributes")
    if all(hasattr(models.Queue, n) for n in needed) and hasattr(models, "camelcase_to_underscores"):
        models.Queue.attributes = property(_attributes)
    else:
        import sys

        print("infra/moto/server.py: moto's SQS Queue has changed; running it unpatched", file=sys.stderr)


_patch()


def _model_data(self, request, full_url, headers):
    import json

    from moto.core.model_instances import model_data

    results = {}
    for service in sorted(model_data):
        models_ = model_data[service]
        results[service] = {}
        for name in sorted(models_):
            results[service][name] = []
            for instance in models_[name].instances_tracked:
                inst = {}
                for attr in dir(instance):
                    if attr.startswith("_"):
                        continue
                    try:
                        value = getattr(instance, attr)
                        json.dumps(value)
                    except Exception:  # noqa: BLE001 - a model that cannot say is left out
                        continue
                    inst[attr] = value
                results[service][name].append(inst)
    return 200, {"Content-Type": "application/javascript"}, json.dumps(results)


def _patch_dump():
    try:
        from moto.core import model_instances  # noqa: F401
        from moto.moto_api._internal.responses import MotoAPIResponse
    except ImportError:
        import sys

        print("infra/moto/server.py: moto's API has changed; its data.json runs unpatched", file=sys.stderr)
        return
    if hasattr(MotoAPIResponse, "model_data"):
        MotoAPIResponse.model_data = _model_data


_patch_dump()

if __name__ == "__main__":
    from moto.server import main

    main()
