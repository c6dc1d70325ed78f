# partnergraph's image: the runtime installed once, at build time, from uv.lock (as `make serve`
# does), so that a container starts serving at once and always runs the locked versions.
FROM python:3.12-slim

ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH
WORKDIR /app

# uv at the version the Makefile pins.
RUN pip install --no-cache-dir --disable-pip-version-check uv==0.13.10

# The locked dependencies first: a layer rebuilt only when the lock changes.
COPY pyproject.toml uv.lock README.md LICENSE ./
RUN uv sync --frozen --no-dev --no-install-project
COPY partnergraph ./partnergraph
COPY queries ./queries
RUN uv sync --frozen --no-dev

USER nobody
EXPOSE 8000
CMD ["partnergraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
