// Cross-check of the simulator with an independent ONVIF client, the npm
// `onvif` package (0.8.x): if both clients agree, the simulator's replies are
// not shaped only to suit our own parser.
import { Cam } from 'onvif';
import { OnvifSim, type SimAuth } from '../helpers/onvif-sim';
import { CREDENTIALS } from './support';

function connect(sim: OnvifSim): Promise<Cam> {
  return new Promise((resolve, reject) => {
    const cam = new Cam({
      hostname: '127.0.0.1',
      port: sim.httpPort,
      username: CREDENTIALS.username,
      password: CREDENTIALS.password,
      timeout: 5000,
      autoconnect: false,
    });
    cam.connect((error) => (error ? reject(error) : resolve(cam)));
  });
}

function streamUri(cam: Cam, profileToken: string): Promise<string> {
  return new Promise((resolve, reject) => {
    cam.getStreamUri({ protocol: 'RTSP', profileToken }, (error, stream) =>
      error || stream === undefined
        ? reject(error ?? new Error('no stream URI'))
        : resolve(stream.uri),
    );
  });
}

test.each<[SimAuth, number]>([
  ['ws-security', 3600],
  ['digest', 0],
])(
  'onvif package connects with %s auth',
  async (auth, clockOffsetS) => {
    const sim = await OnvifSim.start({
      auth,
      clockOffsetS,
      username: CREDENTIALS.username,
      password: CREDENTIALS.password,
      rtsp: { host: '127.0.0.1', port: 8554 },
    });
    try {
      const cam = await connect(sim);
      const tokens = (cam as unknown as { profiles: Array<{ $: { token: string } }> }).profiles.map(
        (profile) => profile.$.token,
      );
      expect(tokens).toEqual(['Profile_1', 'Profile_2', 'Profile_3']);
      expect(await streamUri(cam, 'Profile_2')).toBe(
        'rtsp://127.0.0.1:8554/cam_sub?channel=1&subtype=1',
      );
      expect(sim.requests.filter((request) => request.authorized).length).toBeGreaterThan(3);
    } finally {
      await sim.close();
    }
  },
  20_000,
);
