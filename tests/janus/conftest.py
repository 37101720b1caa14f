from tests.janus_server import janus, janus_factory  # noqa: F401
