/*
 * The "find cameras" panel, shown only when GET /api/v1/health reports that
 * the ONVIF discovery routes are mounted. It lists the devices found,
 * starts a new scan, and adds a device as a camera after a connection test
 * with the user name and password typed in for it.
 */
'use strict';

const Discovery = (() => {
  let requestJson = null;
  let onCameraAdded = () => undefined;

  function panel() {
    return document.getElementById('discovery');
  }

  /** Shows the panel with the devices already found; call it only when the server reports discovery. */
  async function init(options) {
    requestJson = options.requestJson;
    onCameraAdded = options.onCameraAdded;
    const result = await requestJson('/discovery');
    panel().hidden = false;
    document.getElementById('discovery-form').addEventListener('submit', scan);
    render(result.devices || []);
  }

  async function scan(event) {
    event.preventDefault();
    const status = document.getElementById('discovery-status');
    const button = event.currentTarget.querySelector('button');
    const addresses = event.currentTarget.elements.unicast.value.split(/[\s,]+/).filter(Boolean);
    button.disabled = true;
    status.textContent = 'Scanning…';
    try {
      const result = await requestJson('/discovery/scan', jsonPost(addresses.length > 0 ? { unicast: addresses } : {}));
      render(result.devices || []);
      status.textContent = `${(result.devices || []).length} device(s) found.`;
    } catch (error) {
      status.textContent = `Scan failed: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  }

  function jsonPost(body) {
    return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  }

  function render(devices) {
    const list = document.getElementById('discovery-list');
    list.replaceChildren(...devices.map(deviceRow));
    document.getElementById('discovery-none').hidden = devices.length > 0;
  }

  function deviceTitle(device) {
    const model = device.info ? `${device.info.manufacturer} ${device.info.model}`.trim() : device.hardware;
    return [device.name, model].filter(Boolean).join(' · ') || device.address;
  }

  function deviceRow(device) {
    const row = document.createElement('li');
    row.className = 'device';
    row.dataset.deviceId = device.id;
    row.innerHTML = `
      <div class="device-head"><strong class="device-title"></strong> <span class="device-address"></span></div>
      <form class="device-form" autocomplete="off">
        <input name="username" type="text" placeholder="user name" aria-label="user name">
        <input name="password" type="password" placeholder="password" aria-label="password">
        <button type="submit">Test and add</button>
      </form>
      <p class="device-status"></p>`;
    row.querySelector('.device-title').textContent = deviceTitle(device);
    const note = device.reachability === 'local' ? '' : ' (not on this computer\u2019s network)';
    row.querySelector('.device-address').textContent = `${device.address}${note}`;
    row.querySelector('form').addEventListener('submit', (event) => testAndAdd(event, device));
    return row;
  }

  /** Returns the stream URL with the user name and password put in (the URL setters percent-encode them). */
  function withCredentials(rtspUrl, username, password) {
    if (!username) return rtspUrl;
    const url = new URL(rtspUrl);
    url.username = username;
    url.password = password;
    return url.toString();
  }

  async function testAndAdd(event, device) {
    event.preventDefault();
    const form = event.currentTarget;
    const status = form.parentElement.querySelector('.device-status');
    const username = form.elements.username.value;
    const password = form.elements.password.value;
    const credentials = username ? { username, password } : {};
    form.querySelector('button').disabled = true;
    status.textContent = 'Testing the connection…';
    try {
      const result = await requestJson(`/discovery/${encodeURIComponent(device.id)}/test`, jsonPost(credentials));
      if (!result.ok) {
        status.textContent = `Connection test failed (${result.error.code}): ${result.error.message}`;
        return;
      }
      const source = result.sources[0];
      const name = source.name || deviceTitle(device);
      await requestJson('/cameras', jsonPost({ name, rtspUrl: withCredentials(source.rtspUrl, username, password) }));
      status.textContent = `Added as camera "${name}".`;
      form.reset();
      await onCameraAdded();
    } catch (error) {
      status.textContent = `Could not add the camera: ${error.message}`;
    } finally {
      form.querySelector('button').disabled = false;
    }
  }

  return { init };
})();
