"""Development tools: a real Home Assistant with the integration and the simulator.

Shared by ``scripts/develop`` (the demo), ``scripts/screenshots`` and the end-to-end
tests in ``tests/e2e``:

- :mod:`devtools.processes` starts and stops the phone simulator and ``hass`` as
  child processes;
- :mod:`devtools.client` talks to Home Assistant over HTTP and WebSocket
  (onboarding, config flow, registries, states, events);
- :mod:`devtools.demo` puts it together: a configuration directory, onboarding, the
  phones added through the config flow, their Action URLs, stable entity ids;
- :mod:`devtools.browser` drives the web UI in headless Chromium (Playwright).

Only the standard library, aiohttp (a Home Assistant dependency) and, for the
browser, the ``playwright`` package (``scripts/setup-e2e``) are used.
"""
