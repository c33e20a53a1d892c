# flowzap-converter's gRPC service.
#   docker build -t flowzap-converter .
#   docker run --rm -p 50051:50051 flowzap-converter            # flags after the image: --workers 4 ...
# The install and start steps are the README's; tests/test_service_docker.py runs them (in a fresh
# virtual environment: there is no Docker engine where the tests run).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/flowzap

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin flowzap

WORKDIR /src
COPY pyproject.toml README.md ./
COPY converters ./converters
COPY server ./server
# The README's install step: a virtual environment, then `pip install .`
RUN python -m venv "$VIRTUAL_ENV" && "$VIRTUAL_ENV/bin/pip" install . && rm -rf /src

ENV PATH="/opt/flowzap/bin:$PATH" \
    FLOWZAP_ADDRESS=0.0.0.0:50051
WORKDIR /home/flowzap
USER flowzap
EXPOSE 50051

# Asks the gRPC health service (grpc.health.v1.Health/Check) on FLOWZAP_ADDRESS.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "server.healthcheck"]

# SIGTERM (docker stop) drains: health NOT_SERVING, calls in flight finish, exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["flowzap-convert", "serve"]
