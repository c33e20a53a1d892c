"""TLS and mutual TLS with certificates made by the test (a CA, a server certificate for
127.0.0.1/localhost, a client certificate), over real sockets."""
from __future__ import annotations

import datetime
import ipaddress
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from server.gen.flowzap.converter.v1 import converter_service_pb2 as api
from server.gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc
from server.testing import ServerProcess

from .conftest import DATA, ROOT

REFERENCE = (DATA / "service" / "auth_flow.fz").read_text(encoding="utf-8")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool, server: bool = False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(directory: Path, name: str, cert, key) -> tuple[Path, Path]:
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _issue("flowzap test CA", ca_key, _name("flowzap test CA"), ca_key, ca=True)
    server_key, client_key, stranger_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    files = {"ca": _write(directory, "ca", ca, ca_key)}
    files["server"] = _write(directory, "server", _issue("localhost", server_key, ca.subject, ca_key, ca=False,
                                                         server=True), server_key)
    files["client"] = _write(directory, "client", _issue("client", client_key, ca.subject, ca_key, ca=False),
                             client_key)
    # A client certificate signed by another CA: mTLS must refuse it.
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _issue("other CA", other_key, _name("other CA"), other_key, ca=True)
    files["stranger"] = _write(directory, "stranger", _issue("stranger", stranger_key, other.subject, other_key,
                                                             ca=False), stranger_key)
    return files


def _credentials(pki, client: str | None = None) -> grpc.ChannelCredentials:
    ca = pki["ca"][0].read_bytes()
    if client is None:
        return grpc.ssl_channel_credentials(ca)
    cert, key = pki[client]
    return grpc.ssl_channel_credentials(ca, key.read_bytes(), cert.read_bytes())


def _convert(address: str, credentials: grpc.ChannelCredentials | None) -> str:
    channel = grpc.secure_channel(address, credentials) if credentials else grpc.insecure_channel(address)
    with channel:
        request = api.ConvertDiagramRequest(source=REFERENCE, target_format="yaml")
        return api_grpc.ConverterServiceStub(channel).ConvertDiagram(request, timeout=10).content


def _refused(address: str, credentials: grpc.ChannelCredentials | None) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as caught:
        _convert(address, credentials)
    return caught.value.code()


def test_tls(pki):
    cert, key = pki["server"]
    with ServerProcess("--workers", "1", "--tls-cert", str(cert), "--tls-key", str(key)) as server:
        assert server.events("serving")[0]["tls"] is True
        assert _convert(server.address, _credentials(pki)).startswith("flowzap_model: 1")
        assert _refused(server.address, None) == grpc.StatusCode.UNAVAILABLE  # plaintext client
        # The health probe of the Docker image speaks TLS when given the CA.
        probe = subprocess.run([sys.executable, "-m", "server.healthcheck", "--address", server.address,
                                "--ca", str(pki["ca"][0])], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert probe.returncode == 0, probe.stderr
        assert "SERVING" in probe.stdout


def test_mutual_tls(pki):
    cert, key = pki["server"]
    env = {"FLOWZAP_CLIENT_CA": str(pki["ca"][0])}  # through the environment, as in a container
    with ServerProcess("--workers", "1", "--tls-cert", str(cert), "--tls-key", str(key), env=env) as server:
        assert server.events("serving")[0]["mtls"] is True
        assert _convert(server.address, _credentials(pki, "client")).startswith("flowzap_model: 1")
        assert _refused(server.address, _credentials(pki)) == grpc.StatusCode.UNAVAILABLE  # no client cert
        assert _refused(server.address, _credentials(pki, "stranger")) == grpc.StatusCode.UNAVAILABLE
        client_cert, client_key = pki["client"]
        probe = subprocess.run([sys.executable, "-m", "server.healthcheck", "--address", server.address,
                                "--ca", str(pki["ca"][0]), "--cert", str(client_cert), "--key", str(client_key)],
                               cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert probe.returncode == 0, probe.stderr
