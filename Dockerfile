# SEND Lens for a team server: the shipped national data and its parquet cache baked in, run as
# an unprivileged user. Sign-in, the database and the pseudonymisation key come from outside
# (compose.yaml and docs/DEPLOYMENT.md); nothing secret is copied into the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SEND_LENS_CACHE_DIR=/app/data/cache \
    SEND_LENS_DATA_DIR=/home/sendlens/.local/share/send-lens \
    SEND_LENS_CONFIG_DIR=/home/sendlens/.config/send-lens

RUN groupadd --system --gid 10001 sendlens \
    && useradd --system --uid 10001 --gid sendlens --create-home --home-dir /home/sendlens sendlens

WORKDIR /app
COPY . /app
# .dockerignore keeps secrets.toml, caches, tests and the git history out of the image.
# The project itself is installed ("."): its dependencies are bounded in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install ".[postgres]" \
    && python -c "from data_loaders import build; build.load_tidy()" \
    && mkdir -p /app/data/refreshed \
    && chown -R sendlens:sendlens /app/data/cache /app/data/refreshed

USER 10001:10001
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]

# Inside the container every interface: the container's own network is the boundary, and
# compose.yaml publishes the port on the host's loopback only, for the TLS reverse proxy.
CMD ["streamlit", "run", "serve.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
