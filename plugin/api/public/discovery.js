/*
 * The "find cameras" panel, shown only when GET /api/v1/health reports that
 * the ONVIF discovery routes are mounted. It lists the devices found (address,
 * model, reachability, profiles, the H.265 advice), starts a new scan, and
 * adds a device as a camera with the user name and password typed in for it.
 * When the server can add ONVIF cameras itself (health.onboarding), the page
 * sends the discovery id and the credentials to POST /cameras, which tests
 * the device and picks the streams. Otherwise the page runs the connection
 * test and sends the analysis stream URL.
 */
'use strict';

const Discovery = (() => {
  let requestJson = null;
  let onCameraAdded = () => undefined;
  let serverOnboards = false;
  /** Camera name by device id, for the devices added from this page since it was loaded. */
  const added = new Map();

  function panel() {
    return document.getElementById('discovery');
  }

  /** Shows the panel with the devices already found; call it only when the server reports discovery. */
  async function init(options) {
    requestJson = options.requestJson;
    onCameraAdded = options.onCameraAdded;
    serverOnboards = Boolean(options.onboarding);
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
      <div class="device-head"><strong class="device-title"></strong> <span class="device-address"></span>
        <span class="badge device-reachability"></span></div>
      <p class="device-profiles"></p>
      <p class="device-note" hidden></p>
      <p class="device-error" hidden></p>
      <form class="device-form" autocomplete="off">
        <input name="username" type="text" placeholder="user name" aria-label="user name">
        <input name="password" type="password" placeholder="password" aria-label="password">
        <button type="submit">Test and add</button>
      </form>
      <p class="device-status"></p>`;
    row.querySelector('.device-title').textContent = deviceTitle(device);
    row.querySelector('.device-address').textContent = device.address;
    const reachability = row.querySelector('.device-reachability');
    reachability.textContent = device.reachability === 'local' ? 'on this network' : 'reachability unknown';
    reachability.title = device.reachability === 'local' ? '' : 'The address is outside this computer\u2019s networks; the camera may still be reachable through a router.';
    reachability.dataset.reachability = device.reachability;
    row.querySelector('.device-profiles').textContent = describeProfiles(device);
    showText(row.querySelector('.device-note'), liveViewNote(device));
    showText(row.querySelector('.device-error'), deviceError(device));
    if (added.has(device.id)) row.querySelector('.device-status').textContent = `Added as camera "${added.get(device.id)}".`;
    row.querySelector('form').addEventListener('submit', (event) => addDevice(event, device));
    return row;
  }

  function showText(element, text) {
    element.textContent = text || '';
    element.hidden = !text;
  }

  /** Lists each profile as name, codec and size, and names the streams chosen for analysis and the live view. */
  function describeProfiles(device) {
    if (!device.profiles || device.profiles.length === 0) return 'Profiles: not read yet (they are read with the camera\u2019s user name and password).';
    const profiles = device.profiles.map((profile) => `${profile.name || profile.token} ${profile.codec} ${profile.width}\u00d7${profile.height}`);
    const source = (device.sources || [])[0];
    const chosen = source ? ` \u00b7 analysis: ${source.profile} (${source.width}\u00d7${source.height})` : '';
    return `Profiles: ${profiles.join(', ')}${chosen}`;
  }

  function liveViewNote(device) {
    const source = (device.sources || []).find((item) => item.liveViewNote);
    return source ? source.liveViewNote : '';
  }

  function deviceError(device) {
    if (!device.error) return '';
    if (device.error.code === 'auth-failed') return 'Enter the camera\u2019s user name and password to read its profiles and add it.';
    return `${device.error.code}: ${device.error.message}`;
  }

  function addDevice(event, device) {
    return serverOnboards ? onboard(event, device) : testAndAdd(event, device);
  }

  /** Sends the discovery id and the credentials; the server tests the device, picks the streams and saves the camera. */
  async function onboard(event, device) {
    event.preventDefault();
    const form = event.currentTarget;
    const status = form.parentElement.querySelector('.device-status');
    const username = form.elements.username.value;
    const password = form.elements.password.value;
    const body = username ? { discoveryId: device.id, username, password } : { discoveryId: device.id };
    form.querySelector('button').disabled = true;
    status.textContent = 'Testing the connection…';
    try {
      const camera = await requestJson('/cameras', jsonPost(body));
      added.set(device.id, camera.name);
      form.reset();
      await onCameraAdded();
      render((await requestJson('/discovery')).devices || []);
    } catch (error) {
      const code = error.code ? ` (${error.code})` : '';
      status.textContent = `Could not add the camera${code}: ${error.message}`;
    } finally {
      form.querySelector('button').disabled = false;
    }
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
