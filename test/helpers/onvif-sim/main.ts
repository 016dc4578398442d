/**
 * Runs the ONVIF simulator as its own process, e.g. inside a network namespace:
 *
 *   tsx test/helpers/onvif-sim/main.ts '<SimOptions as JSON>'
 *
 * Prints `READY {"endpoint":..., "httpPort":..., "discoveryPort":...}` once
 * listening. Reads commands from stdin, one a line: `hello` and `bye` multicast
 * the announcement and print `SENT <command>`; `exit` (or end of stdin) closes the simulator.
 */
import readline from 'node:readline';
import { OnvifSim, type SimOptions } from './index';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SimOptions;
  const sim = await OnvifSim.start(options);
  process.stdout.write(
    `READY ${JSON.stringify({ endpoint: sim.endpoint, httpPort: sim.httpPort, discoveryPort: sim.discoveryPort })}\n`,
  );
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const command = line.trim();
    if (command === 'hello') {
      await sim.hello();
    } else if (command === 'bye') {
      await sim.bye();
    } else if (command === 'exit') {
      break;
    }
    process.stdout.write(`SENT ${command}\n`);
  }
  await sim.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`onvif simulator failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
