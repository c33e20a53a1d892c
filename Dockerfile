# syntax=docker/dockerfile:1
# flowzap-converter's gRPC service.
#   docker build -t flowzap-converter .
#   docker run --rm -p 50051:50051 flowzap-converter            # flags after the image: --workers 4 ...
# Two stages: "build" makes the wheel from the sources; the runtime installs the dependencies
# (a layer only pyproject.toml changes), then the wheel alone, so no source stays in the image.
# tests/test_service_docker.py runs these steps in a fresh directory and virtual environment
# (there is no Docker engine where the tests run) and hadolint checks this file.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY converters ./converters
COPY server ./server
RUN python -m pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="flowzap-converter" \
      org.opencontainers.image.description="gRPC service converting diagrams between FlowZap Code, Mermaid, BPMN 2.0 and YAML" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/flowzap/flowzap-converter"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/flowzap

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin flowzap

# The dependency layer: the list comes from pyproject.toml alone, so a code change keeps it.
COPY pyproject.toml /tmp/pyproject.toml
RUN python -m venv "$VIRTUAL_ENV" \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && "$VIRTUAL_ENV/bin/pip" install --requirement /tmp/requirements.txt \
    && rm /tmp/pyproject.toml /tmp/requirements.txt

# The package itself: the wheel from the build stage, mounted for this step only.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    "$VIRTUAL_ENV/bin/pip" install --no-deps /wheels/*.whl

# FLOWZAP_STATE_FILE: where the server writes the address it serves (whatever --address said),
# which the HEALTHCHECK reads.
ENV PATH="/opt/flowzap/bin:$PATH" \
    FLOWZAP_ADDRESS=0.0.0.0:50051 \
    FLOWZAP_STATE_FILE=/tmp/flowzap-converter.json
WORKDIR /home/flowzap
# Numeric, so that Kubernetes (runAsNonRoot) can tell it is not root.
USER 10001:10001
EXPOSE 50051

# Asks the gRPC health service (grpc.health.v1.Health/Check) at the address the server serves.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "server.healthcheck"]

# SIGTERM (docker stop) drains: health NOT_SERVING, calls in flight finish, exit 0.
# Workers: one per CPU of the container's quota (docker run --cpus=N), read from the cgroup.
STOPSIGNAL SIGTERM
ENTRYPOINT ["flowzap-convert", "serve"]
