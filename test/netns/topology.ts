/**
 * Real hosts and real NAT on one machine: Linux network namespaces joined
 * by veth pairs and bridges, with iptables doing the NAT a home router
 * does (MASQUERADE outbound, DNAT for a forwarded port). Everything lives
 * in namespaces this test creates and deletes; nothing reaches outside.
 *
 *   internet 203.0.113.0/24 (bridge)   relay 203.0.113.1
 *     ├─ home1 router  WAN 203.0.113.10  LAN 192.168.1.1/24 ── A 192.168.1.50  (port 7000 forwarded)
 *     └─ home2 router  WAN 203.0.113.20  LAN 192.168.1.1/24 ─┬ B 192.168.1.60
 *                                                             └ C 192.168.1.50  (same address as A, another host)
 */
import { execFileSync } from 'node:child_process';

export const RELAY_IP = '203.0.113.1';
export const HOME1_WAN = '203.0.113.10';
export const HOME2_WAN = '203.0.113.20';
export const SHARED_PRIVATE = '192.168.1.50';
export const PEER_PORT = 7000;

export interface Topology {
  ns: { inet: string; home1: string; home2: string; a: string; b: string; c: string };
  /** Adds or removes home1's port forward for the Peer Server port. */
  setPortForward(enabled: boolean): void;
  destroy(): void;
}

function run(...args: string[]): void {
  try {
    execFileSync(args[0] as string, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(`${args.join(' ')} failed: ${(error as { stderr?: Buffer }).stderr?.toString().trim()}`);
  }
}

const inNs = (ns: string, ...args: string[]): void => run('ip', 'netns', 'exec', ns, ...args);

export function requireNetworkAdmin(): void {
  if (process.getuid?.() !== 0) throw new Error('the real-NAT test needs root (network namespaces and iptables); CI runs as root');
  try {
    execFileSync('iptables', ['--version'], { stdio: 'ignore' });
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    throw new Error('the real-NAT test needs `ip` (iproute2) and `iptables`: bash .ci/install-system.sh installs them');
  }
}

export function createTopology(): Topology {
  const tag = `rl${process.pid % 100000}`;
  const ns = { inet: `${tag}inet`, home1: `${tag}h1`, home2: `${tag}h2`, a: `${tag}a`, b: `${tag}b`, c: `${tag}c` };
  const created: string[] = [];
  const destroy = (): void => {
    for (const name of created.reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  };
  try {
    for (const name of Object.values(ns)) {
      run('ip', 'netns', 'add', name);
      created.push(name);
      inNs(name, 'ip', 'link', 'set', 'lo', 'up');
    }
    bridge(ns.inet, 'br0', `${RELAY_IP}/24`);
    uplink(tag, 'w1', ns.home1, ns.inet, `${HOME1_WAN}/24`);
    uplink(tag, 'w2', ns.home2, ns.inet, `${HOME2_WAN}/24`);
    // home1's LAN is one cable to A; home2's LAN is a bridge with B and C on it.
    link(`${tag}l1`, ns.home1, '192.168.1.1/24', `${tag}ea`, ns.a, `${SHARED_PRIVATE}/24`);
    bridge(ns.home2, 'lan0', '192.168.1.1/24');
    lanHost(`${tag}lb`, ns.home2, `${tag}eb`, ns.b, '192.168.1.60/24');
    lanHost(`${tag}lc`, ns.home2, `${tag}ec`, ns.c, `${SHARED_PRIVATE}/24`);
    for (const host of [ns.a, ns.b, ns.c]) inNs(host, 'ip', 'route', 'add', 'default', 'via', '192.168.1.1');
    for (const router of [ns.home1, ns.home2]) {
      inNs(router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
      inNs(router, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', router === ns.home1 ? `${tag}w1` : `${tag}w2`, '-j', 'MASQUERADE');
    }
  } catch (error) {
    destroy();
    throw error;
  }
  const forwardRule = ['-t', 'nat', 'PREROUTING', '-i', `${tag}w1`, '-p', 'tcp', '--dport', String(PEER_PORT), '-j', 'DNAT', '--to-destination', `${SHARED_PRIVATE}:${PEER_PORT}`];
  let forwarding = false;
  return {
    ns,
    setPortForward(enabled) {
      if (enabled === forwarding) return;
      const [table, flag, chain, ...rest] = forwardRule;
      inNs(ns.home1, 'iptables', table as string, flag as string, enabled ? '-A' : '-D', chain as string, ...rest);
      forwarding = enabled;
    },
    destroy,
  };

  function bridge(namespace: string, name: string, cidr: string): void {
    inNs(namespace, 'ip', 'link', 'add', name, 'type', 'bridge');
    inNs(namespace, 'ip', 'addr', 'add', cidr, 'dev', name);
    inNs(namespace, 'ip', 'link', 'set', name, 'up');
  }
  function uplink(prefix: string, suffix: string, router: string, inet: string, cidr: string): void {
    const wan = `${prefix}${suffix}`;
    const port = `${prefix}p${suffix}`;
    run('ip', 'link', 'add', wan, 'netns', router, 'type', 'veth', 'peer', 'name', port, 'netns', inet);
    inNs(inet, 'ip', 'link', 'set', port, 'master', 'br0', 'up');
    inNs(router, 'ip', 'addr', 'add', cidr, 'dev', wan);
    inNs(router, 'ip', 'link', 'set', wan, 'up');
  }
  function link(leftName: string, leftNs: string, leftCidr: string, rightName: string, rightNs: string, rightCidr: string): void {
    run('ip', 'link', 'add', leftName, 'netns', leftNs, 'type', 'veth', 'peer', 'name', rightName, 'netns', rightNs);
    inNs(leftNs, 'ip', 'addr', 'add', leftCidr, 'dev', leftName);
    inNs(leftNs, 'ip', 'link', 'set', leftName, 'up');
    inNs(rightNs, 'ip', 'addr', 'add', rightCidr, 'dev', rightName);
    inNs(rightNs, 'ip', 'link', 'set', rightName, 'up');
  }
  function lanHost(portName: string, routerNs: string, hostName: string, hostNs: string, cidr: string): void {
    run('ip', 'link', 'add', portName, 'netns', routerNs, 'type', 'veth', 'peer', 'name', hostName, 'netns', hostNs);
    inNs(routerNs, 'ip', 'link', 'set', portName, 'master', 'lan0', 'up');
    inNs(hostNs, 'ip', 'addr', 'add', cidr, 'dev', hostName);
    inNs(hostNs, 'ip', 'link', 'set', hostName, 'up');
  }
}
