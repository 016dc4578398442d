/**
 * Discovery client for the network-namespace test, run inside a namespace.
 *
 *   tsx test/discovery/netns-client.ts probe '<DiscoverOptions as JSON>'
 *     prints `RESULT <DiscoverResult as JSON>` and exits;
 *   tsx test/discovery/netns-client.ts listen <interface address>
 *     prints `LISTENING`, then `ADDED <id>` and `REMOVED <id>` for Hello and Bye, until stdin ends.
 */
import { DeviceDirectory } from '../../plugin/discovery/directory';
import { discoverCameras, type DiscoverOptions } from '../../plugin/discovery/discover';

async function runProbe(optionsJson: string): Promise<void> {
  const result = await discoverCameras(JSON.parse(optionsJson) as DiscoverOptions);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

async function runListen(interfaceAddress: string): Promise<void> {
  const directory = new DeviceDirectory();
  directory.on('added', (device: { id: string; address: string }) =>
    process.stdout.write(`ADDED ${device.id} ${device.address}\n`),
  );
  directory.on('removed', (device: { id: string }) =>
    process.stdout.write(`REMOVED ${device.id}\n`),
  );
  await directory.listen(3702, interfaceAddress);
  process.stdout.write('LISTENING\n');
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
  await directory.close();
}

const [mode, argument] = process.argv.slice(2);
(mode === 'probe' ? runProbe(argument) : runListen(argument)).catch((error: unknown) => {
  process.stderr.write(`netns client failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
