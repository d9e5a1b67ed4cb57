"""End-to-end tests of dxlab driven by the real boto3/botocore and AWS CLI v1.

One dxlab process is started for the whole module (setUpModule) with
``--provisioning instant`` and a throwaway data directory, and stopped with
SIGTERM at the end (tearDownModule checks that it exits 0 within 10 s).

The binary is taken from the environment variable DXLAB_BIN; when that is
unset, the module builds ``./cmd/dxlab`` from the repository root (two
directories above this file) into a temporary directory.

Only the standard library and boto3/botocore are used. Each test that
creates resources does so in an account of its own (the account is the
12-digit SigV4 access key id), so tests do not see each other's
connections and can run in any order.

Interconnect over rpcv2Cbor: botocore picks the wire protocol of a service
whose model lists several ("protocols": ["smithy-rpc-v2-cbor", "json"]) in
``ServiceModel.resolved_protocol``, which walks the module-level tuple
``botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS`` (model.py imports it
from botocore.utils; the name in botocore.model is the one it reads). The
default puts "json" first, so boto3 speaks awsJson1_0; ``_interconnect``
below swaps the tuple for ('smithy-rpc-v2-cbor', 'json') only while creating
a CBOR client (the protocol is fixed when the client is built) and restores
it afterwards. The tests check the response's Content-Type to prove which
protocol was actually spoken.
"""

import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import boto3
import botocore
import botocore.model
from botocore.config import Config
from botocore.exceptions import ClientError

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REGION = "us-east-1"
LOCATION = "EqDC2"
CONNECTION_ID_RE = re.compile(r"^dxcon-[a-z0-9]{8}$")
# A well-formed id dxlab never hands out: its ids all begin with "f".
UNKNOWN_CONNECTION_ID = "dxcon-0000abcd"
# us-east-1's Interconnect environments in the built-in catalog.
US_EAST_1_ENVIRONMENTS = {
    "mce-aws-gcp-iad",
    "mce-aws-oci-iad",
    "mce-aws-azure-iad-prod",
    "lmce-aws-lumen-ewr",
}

_state = {}  # filled by setUpModule: endpoint, proc, tmp, log path, saved env
_accounts = itertools.count(1)


def new_account():
    """A fresh 12-digit account id, so each test sees only its own resources."""
    return "7%011d" % next(_accounts)


def endpoint():
    return _state["endpoint"]


# ---------------------------------------------------------------------------
# Module fixture: build (if needed), start and stop dxlab.
# ---------------------------------------------------------------------------

def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _build_binary(tmp):
    out = os.path.join(tmp, "dxlab")
    proc = subprocess.run(
        ["go", "build", "-o", out, "./cmd/dxlab"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError("go build failed:\n%s%s" % (proc.stdout, proc.stderr))
    return out


def _log_tail():
    try:
        with open(_state["log"], encoding="utf-8", errors="replace") as f:
            return f.read()[-4000:]
    except OSError:
        return "(no log)"


def _start(binary, tmp, extra=()):
    """Start dxlab on a free port and wait for its health check; returns (proc, url)."""
    for attempt in range(3):
        port = _free_port()
        data_dir = tempfile.mkdtemp(prefix="data-", dir=tmp)
        log = open(_state["log"], "ab")
        proc = subprocess.Popen(
            [binary, "serve", "--addr", "127.0.0.1:%d" % port, "--data-dir", data_dir,
             "--provisioning", "instant"] + list(extra),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        url = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break  # exited: maybe the port was taken meanwhile; try another
            try:
                with urllib.request.urlopen(url + "/_dxlab/health", timeout=2) as resp:
                    body = json.loads(resp.read())
                    if resp.status == 200 and body.get("status") == "ok":
                        return proc, url
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                pass
            time.sleep(0.1)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
            raise RuntimeError("dxlab did not become healthy within 15 s:\n" + _log_tail())
    raise RuntimeError("dxlab exited during startup:\n" + _log_tail())


def setUpModule():
    tmp = tempfile.mkdtemp(prefix="dxlab-pytest-")
    _state["tmp"] = tmp
    _state["log"] = os.path.join(tmp, "dxlab.log")
    # Keep the user's AWS configuration (profiles, endpoints, regions) out of
    # both boto3 and the CLI.
    _state["saved_env"] = dict(os.environ)
    for k in list(os.environ):
        if k.startswith("AWS_"):
            del os.environ[k]
    os.environ["AWS_CONFIG_FILE"] = os.path.join(tmp, "no-such-config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(tmp, "no-such-credentials")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    try:
        binary = os.environ.get("DXLAB_BIN") or _state["saved_env"].get("DXLAB_BIN")
        if not binary:
            binary = _build_binary(tmp)
        _state["binary"] = binary
        proc, url = _start(binary, tmp)
    except BaseException:
        _restore_env()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _state["proc"] = proc
    _state["endpoint"] = url


def _restore_env():
    saved = _state.get("saved_env")
    if saved is not None:
        os.environ.clear()
        os.environ.update(saved)


def tearDownModule():
    proc = _state.get("proc")
    try:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise AssertionError("dxlab did not exit within 10 s of SIGTERM:\n" + _log_tail())
            if rc != 0:
                raise AssertionError("dxlab exited %d after SIGTERM:\n%s" % (rc, _log_tail()))
        elif proc is not None:
            raise AssertionError("dxlab died during the tests (exit %s):\n%s" % (proc.returncode, _log_tail()))
    finally:
        _restore_env()
        shutil.rmtree(_state.get("tmp", ""), ignore_errors=True)


# ---------------------------------------------------------------------------
# Clients and helpers.
# ---------------------------------------------------------------------------

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 1},
    connect_timeout=5,
    read_timeout=20,
)


def _client(service, account, region):
    session = boto3.session.Session(
        aws_access_key_id=account,
        aws_secret_access_key="dxlab-secret",
        region_name=region,
    )
    return session.client(service, endpoint_url=endpoint(), config=_CONFIG)


def _dx(account, region=REGION):
    return _client("directconnect", account, region)


def _protocol_priority_owner():
    """The module whose PRIORITY_ORDERED_SUPPORTED_PROTOCOLS botocore reads
    when resolving a service's protocol, or None if this botocore has none."""
    if hasattr(botocore.model, "PRIORITY_ORDERED_SUPPORTED_PROTOCOLS"):
        return botocore.model
    return None


def _interconnect(protocol, account="111122223333", region=REGION):
    """An Interconnect client speaking "json" (awsJson1_0) or "cbor" (rpcv2Cbor)."""
    if protocol == "json":
        return _client("interconnect", account, region)
    owner = _protocol_priority_owner()
    if owner is None:
        raise unittest.SkipTest("this botocore cannot be told to prefer smithy-rpc-v2-cbor")
    saved = owner.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS
    owner.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = ("smithy-rpc-v2-cbor", "json")
    try:
        client = _client("interconnect", account, region)
    finally:
        owner.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = saved
    return client


def _operator(method, path):
    req = urllib.request.Request(endpoint() + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _operator_json(method, path, body):
    req = urllib.request.Request(endpoint() + path, method=method, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _arn(account, connection_id, region=REGION):
    return "arn:aws:directconnect:%s:%s:dxcon/%s" % (region, account, connection_id)


def _create(dx, name="conn", bandwidth="1Gbps", **kw):
    out = dx.create_connection(location=LOCATION, bandwidth=bandwidth, connectionName=name, **kw)
    return out


def _tags(tag_list):
    return {t["key"]: t.get("value") for t in tag_list}


def _aws_cli(test, account, *args, expect_rc=0, raw=False):
    """Run the AWS CLI as account against dxlab; its JSON output, or the
    finished process when it is expected to fail."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "dxlab-secret",
        "AWS_CONFIG_FILE": os.path.join(_state["tmp"], "no-such-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(_state["tmp"], "no-such-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    proc = subprocess.run(
        ["aws", *args, "--endpoint-url", endpoint(), "--region", REGION, "--output", "json"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    test.assertEqual(proc.returncode, expect_rc,
                     "aws %s\nstdout: %s\nstderr: %s" % (" ".join(args), proc.stdout, proc.stderr))
    if expect_rc == 0 and not raw:
        return json.loads(proc.stdout)
    return proc


class DxlabTestCase(unittest.TestCase):
    maxDiff = None

    def assertClientError(self, fn, code, message=None, message_contains=(), status=None):
        """Call fn and check it raises a ClientError with this code and message."""
        with self.assertRaises(ClientError) as cm:
            fn()
        err = cm.exception.response.get("Error", {})
        self.assertEqual(err.get("Code"), code, "error was %r" % (err,))
        if message is not None:
            self.assertEqual(err.get("Message"), message)
        for part in message_contains:
            self.assertIn(part, err.get("Message", ""))
        if status is not None:
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return cm.exception


# ---------------------------------------------------------------------------
# Direct Connect with boto3.
# ---------------------------------------------------------------------------

class DirectConnectLifecycleTest(DxlabTestCase):

    def test_connection_lifecycle(self):
        account = new_account()
        dx = _dx(account)

        # Create: answered in state requested, with what was asked for.
        created = _create(dx, name="lifecycle-1", bandwidth="10Gbps",
                          tags=[{"key": "team", "value": "net"}])
        cid = created["connectionId"]
        self.assertRegex(cid, CONNECTION_ID_RE)
        self.assertEqual(created["connectionState"], "requested")
        self.assertEqual(created["connectionName"], "lifecycle-1")
        self.assertEqual(created["bandwidth"], "10Gbps")
        self.assertEqual(created["location"], LOCATION)
        self.assertEqual(created["region"], REGION)
        self.assertEqual(created["ownerAccount"], account)
        self.assertTrue(created["awsDevice"].startswith(LOCATION + "-"), created["awsDevice"])
        self.assertEqual(_tags(created["tags"]), {"team": "net"})
        self.assertIs(created["macSecCapable"], False)

        # With instant provisioning it is available on the next describe.
        conns = dx.describe_connections(connectionId=cid)["connections"]
        self.assertEqual(len(conns), 1)
        self.assertEqual(conns[0]["connectionId"], cid)
        self.assertEqual(conns[0]["connectionState"], "available")
        self.assertEqual(conns[0]["awsDevice"], created["awsDevice"])
        listed = dx.describe_connections()["connections"]
        self.assertEqual([c["connectionId"] for c in listed], [cid])
        self.assertEqual(listed[0]["connectionState"], "available")

        # Rename.
        updated = dx.update_connection(connectionId=cid, connectionName="lifecycle-renamed")
        self.assertEqual(updated["connectionId"], cid)
        self.assertEqual(updated["connectionName"], "lifecycle-renamed")
        self.assertEqual(updated["connectionState"], "available")
        again = dx.describe_connections(connectionId=cid)["connections"][0]
        self.assertEqual(again["connectionName"], "lifecycle-renamed")

        # Tags: add, overwrite, remove.
        arn = _arn(account, cid)
        dx.tag_resource(resourceArn=arn, tags=[
            {"key": "env", "value": "lab"},
            {"key": "team", "value": "netops"},
            {"key": "cost-center", "value": "42"},
        ])
        described = dx.describe_tags(resourceArns=[arn])["resourceTags"]
        self.assertEqual(len(described), 1)
        self.assertEqual(described[0]["resourceArn"], arn)
        self.assertEqual(_tags(described[0]["tags"]),
                         {"team": "netops", "env": "lab", "cost-center": "42"})
        dx.untag_resource(resourceArn=arn, tagKeys=["env", "not-there"])
        described = dx.describe_tags(resourceArns=[arn])["resourceTags"]
        self.assertEqual(_tags(described[0]["tags"]), {"team": "netops", "cost-center": "42"})
        self.assertEqual(
            _tags(dx.describe_connections(connectionId=cid)["connections"][0]["tags"]),
            {"team": "netops", "cost-center": "42"})

        # Delete: the answer and the next describe say deleted.
        deleted = dx.delete_connection(connectionId=cid)
        self.assertEqual(deleted["connectionId"], cid)
        self.assertEqual(deleted["connectionState"], "deleted")
        self.assertEqual(dx.describe_connections(connectionId=cid)["connections"][0]["connectionState"],
                         "deleted")
        self.assertEqual([(c["connectionId"], c["connectionState"])
                          for c in dx.describe_connections()["connections"]],
                         [(cid, "deleted")])

        # The facility has the forgetting of it pending, with a due time.
        pending = _operator("GET", "/_dxlab/v1/transitions")["transitions"]
        mine = [t for t in pending if t["resourceId"] == cid]
        self.assertEqual(len(mine), 1, pending)
        self.assertEqual(mine[0]["account"], account)
        self.assertEqual(mine[0]["region"], REGION)
        self.assertIn("dueAt", mine[0])

        # 20 minutes later it is gone.
        advanced = _operator("POST", "/_dxlab/v1/clock/advance?by=20m")
        self.assertGreaterEqual(advanced["fired"], 1)
        pending = _operator("GET", "/_dxlab/v1/transitions")["transitions"]
        self.assertEqual([t for t in pending if t["resourceId"] == cid], [])
        self.assertClientError(
            lambda: dx.describe_connections(connectionId=cid),
            "DirectConnectClientException",
            message="Could not find Connection with ID %s" % cid,
            status=400)
        self.assertEqual(dx.describe_connections()["connections"], [])

    def test_deleted_connection_can_not_be_deleted_or_renamed(self):
        dx = _dx(new_account())
        cid = _create(dx, name="twice")["connectionId"]
        dx.delete_connection(connectionId=cid)
        self.assertClientError(lambda: dx.delete_connection(connectionId=cid),
                               "DirectConnectClientException", message_contains=(cid,))
        self.assertClientError(lambda: dx.update_connection(connectionId=cid, connectionName="x"),
                               "DirectConnectClientException", message_contains=(cid,))
        # Still deleted, name unchanged.
        conn = dx.describe_connections(connectionId=cid)["connections"][0]
        self.assertEqual((conn["connectionState"], conn["connectionName"]), ("deleted", "twice"))

    def test_macsec_connection(self):
        dx = _dx(new_account())
        created = _create(dx, name="secure", bandwidth="10Gbps", requestMACSec=True,
                          providerName="Megaport")
        self.assertIs(created["macSecCapable"], True)
        self.assertEqual(created["encryptionMode"], "should_encrypt")
        self.assertEqual(created["providerName"], "Megaport")
        updated = dx.update_connection(connectionId=created["connectionId"], encryptionMode="must_encrypt")
        self.assertEqual(updated["encryptionMode"], "must_encrypt")
        # 1G ports have no MACsec at EqDC2.
        self.assertClientError(
            lambda: _create(dx, name="insecure", bandwidth="1Gbps", requestMACSec=True),
            "DirectConnectClientException", message_contains=("MACsec", "1Gbps"))
        # A connection without MACsec has no encryption mode to change.
        plain = _create(dx, name="plain")["connectionId"]
        self.assertClientError(
            lambda: dx.update_connection(connectionId=plain, encryptionMode="must_encrypt"),
            "DirectConnectClientException", message_contains=(plain,))

    def test_describe_locations(self):
        dx = _dx(new_account())
        locs = {l["locationCode"]: l for l in dx.describe_locations()["locations"]}
        self.assertIn(LOCATION, locs)
        eqdc2 = locs[LOCATION]
        self.assertEqual(eqdc2["region"], REGION)
        for speed in ("1G", "10G", "100G", "400G"):
            self.assertIn(speed, eqdc2["availablePortSpeeds"])
        self.assertTrue(eqdc2["locationName"])
        self.assertTrue(all(l["region"] == REGION for l in locs.values()))
        # Locations are per region.
        west = {l["locationCode"] for l in _dx(new_account(), "us-west-2").describe_locations()["locations"]}
        self.assertTrue(west)
        self.assertNotIn(LOCATION, west)

    def test_every_bandwidth_offered_at_eqdc2(self):
        dx = _dx(new_account())
        for bw in ("1Gbps", "10Gbps", "100Gbps", "400Gbps"):
            with self.subTest(bandwidth=bw):
                self.assertEqual(_create(dx, name="bw-" + bw, bandwidth=bw)["bandwidth"], bw)


class DirectConnectPaginationTest(DxlabTestCase):

    def test_max_results_two_over_five_connections(self):
        account = new_account()
        dx = _dx(account)
        created = {_create(dx, name="page-%d" % i)["connectionId"] for i in range(5)}
        self.assertEqual(len(created), 5)

        seen, sizes, token, calls = [], [], None, 0
        while True:
            kw = {"maxResults": 2}
            if token:
                kw["nextToken"] = token
            page = dx.describe_connections(**kw)
            calls += 1
            self.assertLessEqual(calls, 5, "pagination does not end")
            sizes.append(len(page["connections"]))
            seen.extend(c["connectionId"] for c in page["connections"])
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(sizes, [2, 2, 1])
        self.assertEqual(len(seen), len(set(seen)), "a connection was listed twice: %s" % seen)
        self.assertEqual(set(seen), created)

        # Without maxResults everything comes at once, with no token.
        everything = dx.describe_connections()
        self.assertEqual({c["connectionId"] for c in everything["connections"]}, created)
        self.assertNotIn("nextToken", everything)
        # A page exactly as large as what is left has no token either.
        exact = dx.describe_connections(maxResults=5)
        self.assertEqual(len(exact["connections"]), 5)
        self.assertNotIn("nextToken", exact)

    def test_bad_pagination_input(self):
        dx = _dx(new_account())
        # The message says the token is bad without echoing it back.
        self.assertClientError(lambda: dx.describe_connections(nextToken="garbage"),
                               "DirectConnectClientException", message_contains=("pagination token is invalid",))
        self.assertClientError(lambda: dx.describe_connections(maxResults=0),
                               "DirectConnectClientException", message_contains=("maxResults",))


class DirectConnectIsolationTest(DxlabTestCase):

    def test_accounts_and_regions_do_not_see_each_other(self):
        owner = new_account()
        other = new_account()
        dx_owner = _dx(owner)
        cid = _create(dx_owner, name="private")["connectionId"]
        not_found = "Could not find Connection with ID %s" % cid

        viewers = {
            "other account, same region": _dx(other),
            "same account, other region": _dx(owner, "us-west-2"),
            "other account, other region": _dx(other, "eu-west-1"),
        }
        for label, dx in viewers.items():
            with self.subTest(label):
                self.assertClientError(lambda: dx.describe_connections(connectionId=cid),
                                       "DirectConnectClientException", message=not_found)
                self.assertNotIn(cid, [c["connectionId"] for c in dx.describe_connections()["connections"]])
                self.assertClientError(lambda: dx.update_connection(connectionId=cid, connectionName="stolen"),
                                       "DirectConnectClientException", message=not_found)
                self.assertClientError(lambda: dx.delete_connection(connectionId=cid),
                                       "DirectConnectClientException", message=not_found)
                self.assertClientError(
                    lambda: dx.tag_resource(resourceArn=_arn(owner, cid), tags=[{"key": "k", "value": "v"}]),
                    "DirectConnectClientException", message=not_found)

        # The other account's own connection is equally invisible to the owner.
        other_cid = _create(viewers["other account, same region"], name="theirs")["connectionId"]
        self.assertClientError(lambda: dx_owner.describe_connections(connectionId=other_cid),
                               "DirectConnectClientException",
                               message="Could not find Connection with ID %s" % other_cid)

        # And the owner's connection is untouched.
        conn = dx_owner.describe_connections(connectionId=cid)["connections"][0]
        self.assertEqual((conn["connectionName"], conn["connectionState"], conn["tags"]),
                         ("private", "available", []))

    def test_location_of_another_region_is_rejected(self):
        dx = _dx(new_account(), "us-west-2")
        self.assertClientError(lambda: _create(dx, name="wrong-region"),
                               "DirectConnectClientException", message_contains=(LOCATION, "us-west-2"))
        self.assertEqual(dx.describe_connections()["connections"], [])


class DirectConnectErrorTest(DxlabTestCase):

    @classmethod
    def setUpClass(cls):
        cls.account = new_account()
        cls.dx = _dx(cls.account)
        cls.cid = _create(cls.dx, name="errors")["connectionId"]
        cls.arn = _arn(cls.account, cls.cid)

    def _tags_now(self):
        return _tags(self.dx.describe_tags(resourceArns=[self.arn])["resourceTags"][0]["tags"])

    def test_invalid_connection_id_format(self):
        for call in (lambda: self.dx.describe_connections(connectionId="foobar"),
                     lambda: self.dx.update_connection(connectionId="foobar", connectionName="x"),
                     lambda: self.dx.delete_connection(connectionId="foobar")):
            self.assertClientError(call, "DirectConnectClientException",
                                   message="Connection ID foobar has an invalid format.", status=400)

    def test_modeled_exception_class(self):
        # boto3 users catch the modeled class, not just ClientError.
        with self.assertRaises(self.dx.exceptions.DirectConnectClientException) as cm:
            self.dx.describe_connections(connectionId=UNKNOWN_CONNECTION_ID)
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Could not find Connection with ID %s" % UNKNOWN_CONNECTION_ID)

    def test_unknown_connection(self):
        msg = "Could not find Connection with ID %s" % UNKNOWN_CONNECTION_ID
        self.assertClientError(lambda: self.dx.describe_connections(connectionId=UNKNOWN_CONNECTION_ID),
                               "DirectConnectClientException", message=msg)
        self.assertClientError(lambda: self.dx.delete_connection(connectionId=UNKNOWN_CONNECTION_ID),
                               "DirectConnectClientException", message=msg)
        self.assertClientError(
            lambda: self.dx.tag_resource(resourceArn=_arn(self.account, UNKNOWN_CONNECTION_ID),
                                         tags=[{"key": "k", "value": "v"}]),
            "DirectConnectClientException", message=msg)

    def test_duplicate_tag_keys(self):
        self.assertClientError(
            lambda: self.dx.tag_resource(resourceArn=self.arn, tags=[{"key": "dup", "value": "1"},
                                                                     {"key": "dup", "value": "2"}]),
            "DuplicateTagKeysException", message_contains=("dup",))
        self.assertNotIn("dup", self._tags_now())
        with self.assertRaises(self.dx.exceptions.DuplicateTagKeysException):
            _create(self.dx, name="dup", tags=[{"key": "a", "value": "1"}, {"key": "a", "value": "2"}])

    def test_too_many_tags(self):
        account = new_account()
        dx = _dx(account)
        cid = _create(dx, name="tags")["connectionId"]
        arn = _arn(account, cid)
        fifty = [{"key": "k%02d" % i, "value": "v"} for i in range(50)]
        dx.tag_resource(resourceArn=arn, tags=fifty)  # exactly 50 is allowed
        self.assertEqual(len(dx.describe_tags(resourceArns=[arn])["resourceTags"][0]["tags"]), 50)
        # Overwriting an existing key does not add a tag.
        dx.tag_resource(resourceArn=arn, tags=[{"key": "k00", "value": "changed"}])
        self.assertClientError(
            lambda: dx.tag_resource(resourceArn=arn, tags=[{"key": "one-more", "value": "v"}]),
            "TooManyTagsException", message_contains=("50",))
        tags = _tags(dx.describe_tags(resourceArns=[arn])["resourceTags"][0]["tags"])
        self.assertEqual(len(tags), 50)
        self.assertEqual(tags["k00"], "changed")
        self.assertNotIn("one-more", tags)
        # Creating with 51 fails, and creates nothing.
        with self.assertRaises(dx.exceptions.TooManyTagsException):
            _create(dx, name="too-many", tags=[{"key": "t%02d" % i, "value": "v"} for i in range(51)])
        self.assertEqual([c["connectionId"] for c in dx.describe_connections()["connections"]], [cid])

    def test_reserved_aws_prefix(self):
        for call in (
            lambda: self.dx.tag_resource(resourceArn=self.arn, tags=[{"key": "aws:owner", "value": "x"}]),
            lambda: self.dx.untag_resource(resourceArn=self.arn, tagKeys=["aws:owner"]),
            lambda: _create(self.dx, name="reserved", tags=[{"key": "aws:owner", "value": "x"}]),
        ):
            self.assertClientError(call, "DirectConnectClientException", message_contains=("aws:",))
        self.assertNotIn("aws:owner", self._tags_now())

    def test_model_constraints(self):
        # 128 characters is the longest key allowed ...
        longest = "k" * 128
        self.dx.tag_resource(resourceArn=self.arn, tags=[{"key": longest, "value": "v"}])
        self.assertIn(longest, self._tags_now())
        # ... 129 is a validation error naming the member.
        err = self.assertClientError(
            lambda: self.dx.tag_resource(resourceArn=self.arn, tags=[{"key": "k" * 129, "value": "v"}]),
            "DirectConnectClientException", message_contains=("tags.1.member.key", "128"), status=400)
        self.assertIn("validation error", err.response["Error"]["Message"])
        # A value outside the model's pattern names the value member.
        self.assertClientError(
            lambda: self.dx.tag_resource(resourceArn=self.arn, tags=[{"key": "ok", "value": "a#b"}]),
            "DirectConnectClientException", message_contains=("tags.1.member.value",))
        self.assertNotIn("ok", self._tags_now())
        # Letters of any script are allowed by the pattern.
        self.dx.tag_resource(resourceArn=self.arn, tags=[{"key": "ключ", "value": "значение"}])
        self.assertEqual(self._tags_now()["ключ"], "значение")

    def test_bad_create_input(self):
        cases = [
            (dict(location=LOCATION, bandwidth="2Gbps", connectionName="x"), ("2Gbps",)),
            (dict(location="NOWHERE", bandwidth="1Gbps", connectionName="x"), ("NOWHERE",)),
            (dict(location=LOCATION, bandwidth="1Gbps", connectionName="   "), ("name",)),
        ]
        before = len(self.dx.describe_connections()["connections"])
        for kw, parts in cases:
            with self.subTest(**kw):
                self.assertClientError(lambda: self.dx.create_connection(**kw),
                                       "DirectConnectClientException", message_contains=parts)
        self.assertEqual(len(self.dx.describe_connections()["connections"]), before)

    def test_bad_arns(self):
        self.assertClientError(
            lambda: self.dx.tag_resource(resourceArn="not-an-arn", tags=[{"key": "k", "value": "v"}]),
            "DirectConnectClientException", message_contains=("not-an-arn",))
        self.assertClientError(lambda: self.dx.describe_tags(resourceArns=[]),
                               "DirectConnectClientException")


# ---------------------------------------------------------------------------
# Interconnect with boto3, in both protocols.
# ---------------------------------------------------------------------------

class _InterconnectTests:
    """Mixed into one TestCase per protocol."""

    protocol = None
    content_type = None

    @classmethod
    def setUpClass(cls):
        cls.ic = _interconnect(cls.protocol)

    def test_speaks_expected_protocol(self):
        out = self.ic.list_environments()
        headers = out["ResponseMetadata"]["HTTPHeaders"]
        self.assertEqual(headers.get("content-type"), self.content_type)
        if self.protocol == "cbor":
            self.assertEqual(headers.get("smithy-protocol"), "rpc-v2-cbor")

    def test_list_environments(self):
        out = self.ic.list_environments()
        envs = {e["environmentId"]: e for e in out["environments"]}
        self.assertEqual(set(envs), US_EAST_1_ENVIRONMENTS)
        self.assertNotIn("nextToken", out)
        gcp = envs["mce-aws-gcp-iad"]
        self.assertEqual(gcp["provider"], {"cloudServiceProvider": "gcp"})
        self.assertEqual(gcp["location"], "us-east4")
        self.assertEqual(gcp["state"], "available")
        self.assertEqual(gcp["type"], "Multicloud")
        self.assertIn("10Gbps", gcp["bandwidths"]["supported"])
        self.assertTrue(set(gcp["bandwidths"]["available"]) <= set(gcp["bandwidths"]["supported"]))
        lumen = envs["lmce-aws-lumen-ewr"]
        self.assertEqual(lumen["provider"], {"lastMileProvider": "lumen"})
        self.assertEqual(lumen["type"], "LastMile")
        # Another region sees its own environments only.
        west = _interconnect(self.protocol, region="us-west-1").list_environments()["environments"]
        west_ids = {e["environmentId"] for e in west}
        self.assertIn("mce-aws-gcp-lax", west_ids)
        self.assertFalse(west_ids & US_EAST_1_ENVIRONMENTS)

    def test_list_environments_filters(self):
        gcp = self.ic.list_environments(provider={"cloudServiceProvider": "gcp"})["environments"]
        self.assertEqual([e["environmentId"] for e in gcp], ["mce-aws-gcp-iad"])
        lumen = self.ic.list_environments(provider={"lastMileProvider": "lumen"})["environments"]
        self.assertEqual([e["environmentId"] for e in lumen], ["lmce-aws-lumen-ewr"])
        by_loc = self.ic.list_environments(location="us-east4")["environments"]
        self.assertEqual([e["environmentId"] for e in by_loc], ["mce-aws-gcp-iad"])
        self.assertEqual(self.ic.list_environments(location="mars-1")["environments"], [])

    def test_list_environments_pagination(self):
        seen, token, calls = [], None, 0
        while True:
            kw = {"maxResults": 1}
            if token:
                kw["nextToken"] = token
            page = self.ic.list_environments(**kw)
            calls += 1
            self.assertLessEqual(calls, len(US_EAST_1_ENVIRONMENTS) + 1, "pagination does not end")
            self.assertEqual(len(page["environments"]), 1)
            seen.append(page["environments"][0]["environmentId"])
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(len(seen), len(set(seen)), seen)
        self.assertEqual(set(seen), US_EAST_1_ENVIRONMENTS)
        # boto3's paginator walks the same pages.
        pages = list(self.ic.get_paginator("list_environments").paginate(PaginationConfig={"PageSize": 1}))
        self.assertEqual([p["environments"][0]["environmentId"] for p in pages], seen)

    def test_bad_next_token(self):
        self.assertClientError(lambda: self.ic.list_environments(nextToken="garbage"),
                               "InterconnectValidationException")

    def test_get_environment(self):
        listed = {e["environmentId"]: e for e in self.ic.list_environments()["environments"]}
        for env_id in ("mce-aws-gcp-iad", "mce-aws-azure-iad-prod"):
            with self.subTest(env_id):
                got = self.ic.get_environment(id=env_id)["environment"]
                self.assertEqual(got, listed[env_id])
        self.assertEqual(self.ic.get_environment(id="mce-aws-azure-iad-prod")["environment"]["state"], "limited")

    def test_get_environment_not_found(self):
        err = self.assertClientError(lambda: self.ic.get_environment(id="mce-nope"),
                                     "ResourceNotFoundException", message_contains=("mce-nope",), status=404)
        self.assertIsInstance(err, self.ic.exceptions.ResourceNotFoundException)
        # An environment of another region is not found here either.
        self.assertClientError(lambda: self.ic.get_environment(id="mce-aws-gcp-lax"),
                               "ResourceNotFoundException", message_contains=("mce-aws-gcp-lax",))

    def test_validation_error(self):
        err = self.assertClientError(lambda: self.ic.get_connection(identifier="bad"),
                                     "InterconnectValidationException",
                                     message_contains=("'bad'", "identifier"), status=400)
        self.assertIsInstance(err, self.ic.exceptions.InterconnectValidationException)
        # botocore checks no maximum length; dxlab does, and names the member.
        self.assertClientError(lambda: self.ic.get_environment(id="e" * 65),
                               "InterconnectValidationException", message_contains=("id", "64"))

    def _gateway(self, account):
        gw = _dx(account).create_direct_connect_gateway(directConnectGatewayName="to-other-clouds")
        return gw["directConnectGateway"]["directConnectGatewayId"]

    def test_connection_lifecycle(self):
        account = new_account()
        ic = _interconnect(self.protocol, account=account)
        gw = self._gateway(account)
        points = ic.list_attach_points(environmentId="mce-aws-gcp-iad")["attachPoints"]
        self.assertEqual(points, [{"type": "DirectConnectGateway", "identifier": gw, "name": "to-other-clouds"}])
        # botocore fills clientToken itself (an idempotency token).
        conn = ic.create_connection(environmentId="mce-aws-gcp-iad", bandwidth="1Gbps",
                                    attachPoint={"directConnectGateway": gw}, description="to GCP",
                                    remoteAccount={"identifier": "my-gcp-project"}, tags={"team": "net"})["connection"]
        cid = conn["id"]
        self.assertRegex(cid, r"^mcc-[a-z0-9]{8}$")
        self.assertEqual(conn["arn"], "arn:aws:interconnect:%s:%s:connection/%s" % (REGION, account, cid))
        self.assertEqual(conn["state"], "requested")
        self.assertTrue(conn["activationKey"])
        self.assertEqual(conn["tags"], {"team": "net"})
        # The instant profile: the partner's portal took the key at once.
        ic.get_waiter("connection_available").wait(identifier=cid)
        got = ic.get_connection(identifier=cid)["connection"]
        self.assertEqual(got["state"], "available")
        self.assertNotIn("activationKey", got)

        listed = ic.list_connections(provider={"cloudServiceProvider": "gcp"}, state="available",
                                     attachPoint={"directConnectGateway": gw})["connections"]
        self.assertEqual([c["id"] for c in listed], [cid])
        self.assertEqual(ic.list_connections(environmentId="mce-aws-oci-iad")["connections"], [])

        up = ic.update_connection(identifier=cid, description="renamed", bandwidth="2Gbps")["connection"]
        self.assertEqual((up["state"], up["description"]), ("updating", "renamed"))
        self.assertEqual(ic.get_connection(identifier=cid)["connection"]["bandwidth"], "2Gbps")

        ic.tag_resource(arn=conn["arn"], tags={"env": "prod"})
        ic.untag_resource(arn=conn["arn"], tagKeys=["team"])
        self.assertEqual(ic.list_tags_for_resource(arn=conn["arn"])["tags"], {"env": "prod"})

        # Another account does not see it; the gateway cannot go while it is attached.
        other = _interconnect(self.protocol, account=new_account())
        self.assertClientError(lambda: other.get_connection(identifier=cid), "ResourceNotFoundException", status=404)
        self.assertClientError(lambda: _dx(account).delete_direct_connect_gateway(directConnectGatewayId=gw),
                               "DirectConnectClientException", message_contains=(cid,))

        deleted = ic.delete_connection(identifier=cid)["connection"]
        self.assertEqual(deleted["state"], "deleting")
        ic.get_waiter("connection_deleted").wait(identifier=cid)
        self.assertEqual(ic.get_connection(identifier=cid)["connection"]["state"], "deleted")
        _dx(account).delete_direct_connect_gateway(directConnectGatewayId=gw)

    def test_quota(self):
        account = new_account()
        ic = _interconnect(self.protocol, account=account)
        gw = self._gateway(account)
        for _ in range(2):
            ic.create_connection(environmentId="mce-aws-gcp-iad", bandwidth="1Gbps", attachPoint={"directConnectGateway": gw})
        err = self.assertClientError(
            lambda: ic.create_connection(environmentId="mce-aws-gcp-iad", bandwidth="1Gbps", attachPoint={"directConnectGateway": gw}),
            "ServiceQuotaExceededException", status=402)
        self.assertIsInstance(err, ic.exceptions.ServiceQuotaExceededException)

    def test_partner_proposal(self):
        account = new_account()
        ic = _interconnect(self.protocol, account=account)
        gw = self._gateway(account)
        key = _operator_json("POST", "/_dxlab/v1/interconnect/proposals", {
            "environmentId": "mce-aws-gcp-iad", "bandwidth": "5Gbps", "account": account, "region": REGION})["activationKey"]
        proposal = ic.describe_connection_proposal(activationKey=key)
        self.assertEqual((proposal["bandwidth"], proposal["environmentId"], proposal["location"], proposal["provider"]),
                         ("5Gbps", "mce-aws-gcp-iad", "us-east4", {"cloudServiceProvider": "gcp"}))
        self.assertClientError(lambda: _interconnect(self.protocol, account=new_account()).describe_connection_proposal(activationKey=key),
                               "ResourceNotFoundException", status=404)
        conn = ic.accept_connection_proposal(activationKey=key, attachPoint={"directConnectGateway": gw},
                                             tags={"side": "gcp"})["connection"]
        self.assertEqual(conn["bandwidth"], "5Gbps")
        ic.get_waiter("connection_available").wait(identifier=conn["id"])
        self.assertClientError(lambda: ic.accept_connection_proposal(activationKey=key, attachPoint={"directConnectGateway": gw}),
                               "InterconnectClientException", status=400)
        self.assertClientError(lambda: ic.describe_connection_proposal(activationKey="garbage"),
                               "InterconnectValidationException", status=400)


class InterconnectJSONTest(_InterconnectTests, DxlabTestCase):
    protocol = "json"
    content_type = "application/x-amz-json-1.0"


class InterconnectCBORTest(_InterconnectTests, DxlabTestCase):
    protocol = "cbor"
    content_type = "application/cbor"


# ---------------------------------------------------------------------------
# A partner and its customer: two access keys, two accounts.
# ---------------------------------------------------------------------------

class PartnerCustomerTest(DxlabTestCase):
    """A Direct Connect partner allocates a hosted connection on its
    interconnect for a customer, each signing with its own access key; the
    customer confirms it (with the AWS CLI when it is installed) and later
    deletes it."""

    def setUp(self):
        self.partner_account, self.customer_account = new_account(), new_account()
        self.partner, self.customer = _dx(self.partner_account), _dx(self.customer_account)

    def _interconnect(self):
        ic = self.partner.create_interconnect(interconnectName="nni-1", bandwidth="10Gbps", location=LOCATION,
                                              providerName="Example Fibre")
        self.assertRegex(ic["interconnectId"], CONNECTION_ID_RE)
        self.assertEqual(ic["interconnectState"], "requested")
        got = self.partner.describe_interconnects(interconnectId=ic["interconnectId"])["interconnects"]
        self.assertEqual([i["interconnectState"] for i in got], ["available"])
        return ic

    def test_partner_allocates_customer_confirms_and_deletes(self):
        ic = self._interconnect()
        hosted = self.partner.allocate_hosted_connection(
            connectionId=ic["interconnectId"], ownerAccount=self.customer_account, bandwidth="500Mbps",
            connectionName="customer-a", vlan=101, tags=[{"key": "order", "value": "PO-7"}])
        hid = hosted["connectionId"]
        self.assertRegex(hid, CONNECTION_ID_RE)
        self.assertEqual(hosted["connectionState"], "ordering")
        self.assertEqual(hosted["ownerAccount"], self.customer_account)
        self.assertEqual(hosted["partnerName"], "Example Fibre")
        self.assertEqual(hosted["vlan"], 101)
        self.assertEqual(hosted["awsDevice"], ic["awsDevice"])
        self.assertEqual(hosted.get("tags", []), [])  # the customer's, not the partner's

        # The customer sees it ordering, with its tags.
        mine = self.customer.describe_connections(connectionId=hid)["connections"]
        self.assertEqual([(c["connectionState"], c["partnerName"], c["vlan"]) for c in mine],
                         [("ordering", "Example Fibre", 101)])
        self.assertEqual(_tags(mine[0]["tags"]), {"order": "PO-7"})
        # The partner does not own it: not in its DescribeConnections.
        self.assertClientError(lambda: self.partner.describe_connections(connectionId=hid),
                               "DirectConnectClientException", message_contains=["Could not find Connection"])
        # A third account sees nothing.
        self.assertClientError(lambda: _dx(new_account()).describe_connections(connectionId=hid),
                               "DirectConnectClientException", message_contains=["Could not find Connection"])

        # The customer confirms: with the AWS CLI if it is here.
        if shutil.which("aws"):
            confirmed = _aws_cli(self, self.customer_account, "directconnect", "confirm-connection",
                                 "--connection-id", hid)
        else:
            confirmed = self.customer.confirm_connection(connectionId=hid)
        self.assertEqual(confirmed["connectionState"], "pending")
        self.assertClientError(lambda: self.customer.confirm_connection(connectionId=hid),
                               "DirectConnectClientException", message_contains=["ordering"])

        # The partner lists it on its interconnect, available, without tags.
        listed = self.partner.describe_hosted_connections(connectionId=ic["interconnectId"])["connections"]
        self.assertEqual([(c["connectionId"], c["connectionState"], c["ownerAccount"]) for c in listed],
                         [(hid, "available", self.customer_account)])
        self.assertEqual(listed[0].get("tags", []), [])
        on_ic = self.partner.describe_connections_on_interconnect(interconnectId=ic["interconnectId"])["connections"]
        self.assertEqual([c["connectionId"] for c in on_ic], [hid])
        self.assertClientError(
            lambda: self.partner.delete_interconnect(interconnectId=ic["interconnectId"]),
            "DirectConnectClientException", message_contains=["carries hosted connection " + hid])

        # The customer deletes it; then the partner may delete its port.
        deleted = self.customer.delete_connection(connectionId=hid)
        self.assertEqual(deleted["connectionState"], "deleted")
        listed = self.partner.describe_hosted_connections(connectionId=ic["interconnectId"])["connections"]
        self.assertEqual([c["connectionState"] for c in listed], ["deleted"])
        self.assertEqual(self.partner.delete_interconnect(interconnectId=ic["interconnectId"])["interconnectState"],
                         "deleted")

    def test_customer_declines_and_vlan_is_unique(self):
        ic = self._interconnect()
        args = dict(connectionId=ic["interconnectId"], ownerAccount=self.customer_account, bandwidth="1Gbps",
                    connectionName="customer-b", vlan=202)
        hid = self.partner.allocate_hosted_connection(**args)["connectionId"]
        self.assertClientError(lambda: self.partner.allocate_hosted_connection(**args),
                               "DirectConnectClientException", message_contains=["Vlan 202 is already in use"])
        # Declined while ordering: rejected, and the VLAN is free again.
        self.assertEqual(self.customer.delete_connection(connectionId=hid)["connectionState"], "rejected")
        again = self.partner.allocate_hosted_connection(**args)
        self.assertEqual(again["connectionState"], "ordering")

    def test_hosted_connection_on_a_lag(self):
        lag = self.partner.create_lag(numberOfConnections=2, location=LOCATION, connectionsBandwidth="10Gbps",
                                      lagName="nni-lag", childConnectionTags=[{"key": "member", "value": "yes"}])
        self.assertEqual(lag["lagState"], "pending")
        self.assertEqual(sorted(c["connectionName"] for c in lag["connections"]),
                         ["Requested Connection %d for Lag %s" % (n, lag["lagId"]) for n in (1, 2)])
        hosted = self.partner.allocate_hosted_connection(
            connectionId=lag["lagId"], ownerAccount=self.customer_account, bandwidth="10Gbps",
            connectionName="on-lag", vlan=7)
        self.assertEqual(hosted["awsDevice"], lag["awsDevice"])
        self.customer.confirm_connection(connectionId=hosted["connectionId"])
        got = self.partner.describe_lags(lagId=lag["lagId"])["lags"][0]
        self.assertEqual(got["lagState"], "available")
        self.assertEqual(len(got["connections"]), 2)
        self.assertClientError(lambda: self.partner.delete_lag(lagId=lag["lagId"]),
                               "DirectConnectClientException", message_contains=["carries hosted connection"])


# ---------------------------------------------------------------------------
# A hosted VIF: a partner's hosted connection, its customer's private VIF to
# a Direct Connect gateway associated with a transit gateway.
# ---------------------------------------------------------------------------

class HostedVirtualInterfaceTest(DxlabTestCase):
    """End to end with two access keys: the partner allocates a hosted
    connection on its interconnect; the customer confirms it, makes a Direct
    Connect gateway, associates a transit gateway with it, and creates a
    private VIF on the hosted connection to the gateway (with the AWS CLI
    when it is installed). ListVirtualInterfaceRoutes is newer than this
    boto3: the Go SDK tests cover it."""

    def test_private_vif_on_a_hosted_connection_to_a_gateway_with_a_tgw(self):
        partner_account, customer_account = new_account(), new_account()
        partner, customer = _dx(partner_account), _dx(customer_account)
        ic = partner.create_interconnect(interconnectName="nni", bandwidth="10Gbps", location=LOCATION,
                                         providerName="Example Fibre")["interconnectId"]
        hid = partner.allocate_hosted_connection(connectionId=ic, ownerAccount=customer_account, bandwidth="500Mbps",
                                                 connectionName="customer-vif", vlan=333)["connectionId"]
        self.assertEqual(customer.confirm_connection(connectionId=hid)["connectionState"], "pending")
        self.assertEqual(customer.describe_connections(connectionId=hid)["connections"][0]["connectionState"],
                         "available")

        gw = customer.create_direct_connect_gateway(directConnectGatewayName="to-tgw",
                                                    amazonSideAsn=64600)["directConnectGateway"]
        gw_id = gw["directConnectGatewayId"]
        assoc = customer.create_direct_connect_gateway_association(
            directConnectGatewayId=gw_id, gatewayId="tgw-0123abcd9876fedc0",
            addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.20.0.0/16"}])["directConnectGatewayAssociation"]
        self.assertEqual(assoc["associationState"], "associating")
        self.assertEqual(assoc["associatedGateway"]["id"], "tgw-0123abcd9876fedc0")
        got = customer.describe_direct_connect_gateway_associations(
            directConnectGatewayId=gw_id)["directConnectGatewayAssociations"]
        self.assertEqual([(a["associationState"], [p["cidr"] for p in a["allowedPrefixesToDirectConnectGateway"]])
                          for a in got], [("associated", ["10.20.0.0/16"])])

        # A hosted connection's VIF takes the hosted connection's VLAN.
        self.assertClientError(
            lambda: customer.create_private_virtual_interface(connectionId=hid, newPrivateVirtualInterface={
                "virtualInterfaceName": "wrong-vlan", "vlan": 334, "asn": 65000, "directConnectGatewayId": gw_id}),
            "DirectConnectClientException", message_contains=["carries VLAN 333"])
        # The partner does not own the hosted connection: it cannot put a VIF on it.
        self.assertClientError(
            lambda: partner.create_private_virtual_interface(connectionId=hid, newPrivateVirtualInterface={
                "virtualInterfaceName": "not-mine", "vlan": 333, "asn": 65000, "virtualGatewayId": "vgw-0123abcd"}),
            "DirectConnectClientException", message_contains=["Could not find Connection"])

        if shutil.which("aws"):
            created = _aws_cli(self, customer_account, "directconnect", "create-private-virtual-interface",
                               "--connection-id", hid, "--new-private-virtual-interface",
                               "virtualInterfaceName=to-tgw,vlan=333,asn=65000,directConnectGatewayId=" + gw_id)
        else:
            created = customer.create_private_virtual_interface(connectionId=hid, newPrivateVirtualInterface={
                "virtualInterfaceName": "to-tgw", "vlan": 333, "asn": 65000, "directConnectGatewayId": gw_id})
        vif_id = created["virtualInterfaceId"]
        self.assertRegex(vif_id, r"^dxvif-[a-z0-9]{8}$")
        self.assertEqual((created["virtualInterfaceState"], created["ownerAccount"], created["connectionId"],
                          created["vlan"], created["amazonSideAsn"], created["directConnectGatewayId"]),
                         ("pending", customer_account, hid, 333, 64600, gw_id))
        self.assertRegex(created["authKey"], r"^0x[A-Za-z0-9._]{22}$")

        vif = customer.describe_virtual_interfaces(virtualInterfaceId=vif_id)["virtualInterfaces"][0]
        self.assertEqual(vif["virtualInterfaceState"], "available")
        self.assertEqual([(p["addressFamily"], p["bgpStatus"]) for p in vif["bgpPeers"]], [("ipv4", "up")])
        self.assertEqual([v["virtualInterfaceId"] for v in
                          customer.describe_virtual_interfaces(connectionId=hid)["virtualInterfaces"]], [vif_id])
        attachments = customer.describe_direct_connect_gateway_attachments(
            directConnectGatewayId=gw_id)["directConnectGatewayAttachments"]
        self.assertEqual([(a["virtualInterfaceId"], a["attachmentState"], a["virtualInterfaceOwnerAccount"])
                          for a in attachments], [(vif_id, "attached", customer_account)])

        # The partner sees its hosted connection, not its customer's VIF.
        self.assertEqual(partner.describe_virtual_interfaces(connectionId=ic)["virtualInterfaces"], [])
        self.assertEqual(partner.describe_virtual_interfaces()["virtualInterfaces"], [])
        self.assertClientError(lambda: partner.describe_virtual_interfaces(virtualInterfaceId=vif_id),
                               "DirectConnectClientException", message_contains=["does not exist"])
        self.assertEqual([c["connectionState"] for c in
                          partner.describe_hosted_connections(connectionId=ic)["connections"]], ["available"])
        # One VIF per hosted connection.
        self.assertClientError(
            lambda: customer.create_private_virtual_interface(connectionId=hid, newPrivateVirtualInterface={
                "virtualInterfaceName": "second", "vlan": 333, "asn": 65000, "directConnectGatewayId": gw_id}),
            "DirectConnectClientException", message_contains=["quota vifs-per-hosted-connection"])

        # Tearing down: the gateway stays while the VIF is attached.
        self.assertClientError(lambda: customer.delete_direct_connect_gateway(directConnectGatewayId=gw_id),
                               "DirectConnectClientException", message_contains=["virtual interface"])
        self.assertEqual(customer.delete_virtual_interface(virtualInterfaceId=vif_id)["virtualInterfaceState"],
                         "deleting")
        self.assertEqual(customer.describe_virtual_interfaces(virtualInterfaceId=vif_id)
                         ["virtualInterfaces"][0]["virtualInterfaceState"], "deleted")
        customer.delete_direct_connect_gateway_association(associationId=assoc["associationId"])
        self.assertEqual(customer.delete_direct_connect_gateway(directConnectGatewayId=gw_id)
                         ["directConnectGateway"]["directConnectGatewayState"], "deleting")
        self.assertEqual(customer.delete_connection(connectionId=hid)["connectionState"], "deleted")


# ---------------------------------------------------------------------------
# AWS CLI v1.
# ---------------------------------------------------------------------------

@unittest.skipIf(shutil.which("aws") is None, "aws (AWS CLI) is not on PATH")
class AwsCliTest(DxlabTestCase):

    def aws(self, account, *args, expect_rc=0, raw=False):
        return _aws_cli(self, account, *args, expect_rc=expect_rc, raw=raw)

    def test_create_and_describe_connection(self):
        account = new_account()
        created = self.aws(account, "directconnect", "create-connection",
                           "--location", LOCATION, "--bandwidth", "1Gbps",
                           "--connection-name", "from-the-cli",
                           "--tags", "key=team,value=net")
        cid = created["connectionId"]
        self.assertRegex(cid, CONNECTION_ID_RE)
        self.assertEqual(created["connectionState"], "requested")
        self.assertEqual(created["connectionName"], "from-the-cli")
        self.assertEqual(created["ownerAccount"], account)
        self.assertEqual(created["tags"], [{"key": "team", "value": "net"}])

        described = self.aws(account, "directconnect", "describe-connections", "--connection-id", cid)
        self.assertEqual([(c["connectionId"], c["connectionState"]) for c in described["connections"]],
                         [(cid, "available")])
        # boto3 sees what the CLI made.
        self.assertEqual(_dx(account).describe_connections(connectionId=cid)["connections"][0]["connectionName"],
                         "from-the-cli")

        proc = self.aws(account, "directconnect", "describe-connections",
                        "--connection-id", UNKNOWN_CONNECTION_ID, expect_rc=255)
        self.assertIn("DirectConnectClientException", proc.stderr)
        self.assertIn("Could not find Connection with ID %s" % UNKNOWN_CONNECTION_ID, proc.stderr)

    def test_interconnect_wait_connection_available(self):
        account = new_account()
        gw = self.aws(account, "directconnect", "create-direct-connect-gateway",
                      "--direct-connect-gateway-name", "cli-gw")["directConnectGateway"]["directConnectGatewayId"]
        conn = self.aws(account, "interconnect", "create-connection", "--environment-id", "mce-aws-gcp-iad",
                        "--bandwidth", "1Gbps", "--attach-point", "directConnectGateway=" + gw,
                        "--description", "from the CLI")["connection"]
        self.assertEqual(conn["state"], "requested")
        self.aws(account, "interconnect", "wait", "connection-available", "--identifier", conn["id"], raw=True)
        got = self.aws(account, "interconnect", "get-connection", "--identifier", conn["id"])["connection"]
        self.assertEqual(got["state"], "available")
        self.aws(account, "interconnect", "delete-connection", "--identifier", conn["id"])
        self.aws(account, "interconnect", "wait", "connection-deleted", "--identifier", conn["id"], raw=True)

    def test_interconnect_list_environments(self):
        # The CLI follows nextToken itself, so a page size of 1 still yields all.
        out = self.aws(new_account(), "interconnect", "list-environments", "--page-size", "1")
        ids = [e["environmentId"] for e in out["environments"]]
        self.assertEqual(len(ids), len(set(ids)), ids)
        self.assertEqual(set(ids), US_EAST_1_ENVIRONMENTS)
        gcp = [e for e in out["environments"] if e["environmentId"] == "mce-aws-gcp-iad"][0]
        self.assertEqual(gcp["provider"], {"cloudServiceProvider": "gcp"})
        self.assertEqual(gcp["location"], "us-east4")


# ---------------------------------------------------------------------------
# Raw HTTP.
# ---------------------------------------------------------------------------

class RawHttpTest(DxlabTestCase):

    def post(self, target, body=b"{}"):
        req = urllib.request.Request(endpoint() + "/", data=body, method="POST", headers={
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.1",
        })
        try:
            resp = urllib.request.urlopen(req, timeout=10)
        except urllib.error.HTTPError as e:
            resp = e
        with resp:
            return resp.status, resp.headers, resp.read()

    def test_request_id_header(self):
        status, headers, body = self.post("OvertureService.DescribeLocations")
        self.assertEqual(status, 200)
        rid = headers.get("x-amzn-RequestId")
        self.assertTrue(rid, "no x-amzn-RequestId header: %s" % dict(headers))
        self.assertEqual(headers.get("Content-Type"), "application/x-amz-json-1.1")
        codes = [l["locationCode"] for l in json.loads(body)["locations"]]
        self.assertIn(LOCATION, codes)  # unsigned requests are served in us-east-1
        _, headers2, _ = self.post("OvertureService.DescribeLocations")
        self.assertNotEqual(headers2.get("x-amzn-RequestId"), rid, "request ids repeat")

    def test_request_id_on_errors(self):
        status, headers, body = self.post("OvertureService.DescribeConnections",
                                          json.dumps({"connectionId": "foobar"}).encode())
        self.assertEqual(status, 400)
        self.assertTrue(headers.get("x-amzn-RequestId"))
        err = json.loads(body)
        self.assertEqual(err.get("__type"), "DirectConnectClientException")
        self.assertEqual(err.get("message"), "Connection ID foobar has an invalid format.")

    def test_boto3_request_id_matches_header(self):
        out = _dx(new_account()).describe_locations()
        meta = out["ResponseMetadata"]
        self.assertTrue(meta.get("RequestId"))
        self.assertEqual(meta["RequestId"], meta["HTTPHeaders"].get("x-amzn-requestid"))

    def test_operator_health(self):
        health = _operator("GET", "/_dxlab/health")
        self.assertEqual(health["status"], "ok")
        self.assertEqual(health["provisioning"], "instant")


# ---------------------------------------------------------------------------
# Strict SigV4: a second dxlab that verifies every signature.
# ---------------------------------------------------------------------------

STRICT_KEY = "AKIASTRICT0000000001"
STRICT_SECRET = "strict-secret"


class StrictAuthTest(DxlabTestCase):

    @classmethod
    def setUpClass(cls):
        accounts = os.path.join(_state["tmp"], "accounts")
        with open(accounts, "w") as f:
            f.write("[strict]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_account_id = 210987654321\n"
                    % (STRICT_KEY, STRICT_SECRET))
        cls.proc, cls.url = _start(_state["binary"], _state["tmp"], ["--auth", "strict", "--accounts", accounts])

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        if cls.proc.wait(timeout=15) != 0:
            raise AssertionError("strict dxlab exited %d:\n%s" % (cls.proc.returncode, _log_tail()))

    def client(self, service="directconnect", key=STRICT_KEY, secret=STRICT_SECRET, tamper=None):
        session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name=REGION)
        c = session.client(service, endpoint_url=self.url, config=_CONFIG)
        if tamper is not None:
            # before-send runs after signing: what it changes was signed as it was.
            c.meta.events.register("before-send.*", lambda request, **kw: tamper(request))
        return c

    @staticmethod
    def edit(r, name, fn):
        """Edit a header botocore may hold as str or bytes."""
        v = r.headers[name]
        if isinstance(v, bytes):
            v = v.decode()
        del r.headers[name]
        r.headers[name] = fn(v)

    MISMATCH = "The request signature we calculated does not match the signature you provided."

    def test_signed_requests_pass(self):
        dx = self.client()
        self.assertTrue(dx.describe_locations()["locations"])
        out = dx.create_connection(location=LOCATION, bandwidth="1Gbps", connectionName="strict")
        self.assertEqual(out["ownerAccount"], "210987654321")
        envs = self.client("interconnect").list_environments()["environments"]
        self.assertTrue(envs)

    def test_unknown_key(self):
        self.assertClientError(lambda: self.client(key="AKIANOBODY0000000000").describe_locations(),
                               "UnrecognizedClientException", "The security token included in the request is invalid.", status=403)

    def test_wrong_secret(self):
        self.assertClientError(lambda: self.client(secret="wrong").describe_locations(),
                               "InvalidSignatureException", message_contains=(self.MISMATCH,), status=403)

    def test_tampered_parts(self):
        def body(r):
            r.body = r.body.replace(b"tampered", b"tamperex")

        def header(r):
            self.edit(r, "X-Amz-Target", lambda v: "OvertureService.DescribeConnections")

        def date(r):
            self.edit(r, "X-Amz-Date", lambda d: d[:-3] + ("%02d" % ((int(d[-3:-1]) + 1) % 60)) + "Z")

        def scope_region(r):
            self.edit(r, "Authorization", lambda v: v.replace("/us-east-1/", "/us-west-2/"))

        def scope_service(r):
            self.edit(r, "Authorization", lambda v: v.replace("/directconnect/", "/interconnect/"))

        def key(r):
            self.edit(r, "Authorization", lambda v: v.replace(STRICT_KEY, "AKIANOBODY0000000000"))

        for name, fn, code, msg in [
            ("body", body, "InvalidSignatureException", self.MISMATCH),
            ("header", header, "InvalidSignatureException", self.MISMATCH),
            ("date", date, "InvalidSignatureException", self.MISMATCH),
            ("scope region", scope_region, "InvalidSignatureException", self.MISMATCH),
            ("scope service", scope_service, "InvalidSignatureException",
             "Credential should be scoped to correct service: 'directconnect'."),
            ("key", key, "UnrecognizedClientException", "The security token included in the request is invalid."),
        ]:
            with self.subTest(name):
                dx = self.client(tamper=fn)
                self.assertClientError(
                    lambda: dx.create_connection(location=LOCATION, bandwidth="1Gbps", connectionName="tampered"),
                    code, message_contains=(msg,))

    def test_unsigned(self):
        req = urllib.request.Request(self.url + "/", data=b"{}", method="POST", headers={
            "X-Amz-Target": "OvertureService.DescribeLocations", "Content-Type": "application/x-amz-json-1.1"})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(cm.exception.code, 403)
        err = json.loads(cm.exception.read())
        self.assertEqual(err, {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
