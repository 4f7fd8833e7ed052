#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Helper benchmark (helper K), run by `build-aux/bench helper` inside a
# private dbus-run-session whose service dir activates the build-tree
# arw-launcher-helper. Prints one line per figure.
#
#   idle RSS and wakeups: nothing runs; syscalls counted with perf
#     (raw_syscalls:sys_enter on the helper's pid) when perf works, and
#     context switches from /proc/<pid>/task/*/status either way, over IDLE_S.
#   activation-to-first-reply: first GetStatus (activates the helper) vs a
#     warm GetStatus on the same connection.
#   crash-to-restart-scheduled: fake-runtime exits on its own (exit-after);
#     its last line and the supervisor's "timing: restart scheduled" line
#     (ARW_RUNTIME_TIMING=1) carry CLOCK_MONOTONIC microseconds.
#   restore overhead: Restore call → Runtime1 State "ready" seen by the
#     client, minus the runtime's own start-up (spawn → /health answers 200,
#     measured by starting the same fake-runtime directly).
import json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

import gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib

BUILD = os.environ.get('BUILD_DIR', '_build')
FAKE = os.path.abspath(os.path.join(BUILD, 'tests', 'fake-runtime'))
NAME = 'org.arw.Launcher.Helper'
PATH = '/org/arw/Launcher/Helper'
IFACE = 'org.arw.Launcher.Manager1'
IDLE_S = float(os.environ.get('IDLE_S', '10'))
RUNS = int(os.environ.get('RUNS', '7'))

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)


def call(dest, path, iface, method, args, reply=None, timeout=-1):
    return bus.call_sync(dest, path, iface, method, args,
                         GLib.VariantType(reply) if reply else None,
                         Gio.DBusCallFlags.NONE, timeout, None)


def dbus(method, args, reply=None):
    return call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', method, args, reply)


def helper_pid():
    return dbus('GetConnectionUnixProcessID', GLib.Variant('(s)', (NAME,)), '(u)').unpack()[0]


def set_env(env):
    dbus('UpdateActivationEnvironment', GLib.Variant('(a{ss})', (env,)))


def name_owned():
    return dbus('NameHasOwner', GLib.Variant('(s)', (NAME,)), '(b)').unpack()[0]


def stop_helper():
    try:
        pid = helper_pid()
    except GLib.Error:
        return
    os.kill(pid, 15)
    # The bus notices the disconnect asynchronously: until it has, a call
    # would still be routed to the dead connection (NoReply).
    deadline = time.monotonic() + 20
    while name_owned() and time.monotonic() < deadline:
        time.sleep(0.01)


def write_bundle(state, bid, args, health=True):
    root = os.path.join(state, 'runtime', 'bundles')
    d = os.path.join(root, bid.replace('/', '__') + '__bench')
    os.makedirs(d, exist_ok=True)
    process = {'command': FAKE, 'args': ['--port', '{{PORT}}'] + args}
    if health:
        process['health'] = {'url': 'http://127.0.0.1:{{PORT}}/health', 'startup_timeout_ms': 30000}
    with open(os.path.join(d, 'bundle.json'), 'w') as f:
        json.dump({'bundle': {'id': bid, 'name': bid, 'adapter': 'process', 'modalities': ['text'],
                              'accelerator': 'cpu', 'metadata': {'process': process}},
                   'installed_at': '2025-10-12T00:00:00.000Z'}, f)


def base_env(state, hw, **extra):
    env = {'ARW_STATE_DIR': state, 'ARW_HW_ROOT': hw, 'ARW_SECURITY_POSTURE': 'relaxed',
           'ARW_HELPER_IDLE_TIMEOUT_MS': '0', 'ARW_RUNTIME_TIMING': '0', 'ARW_RUNTIME_RESTART_MAX': '3',
           'ARW_RUNTIME_BACKOFF_BASE_MS': '1000', 'ARW_RUNTIME_HEALTH_INTERVAL_MS': '5000'}
    env.update(extra)
    return env


def run_context_until(pred, timeout):
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError
        ctx.iteration(False) or time.sleep(0.0005)


def bench_activation(state, hw):
    firsts, warms = [], []
    for _ in range(RUNS):
        stop_helper()
        set_env(base_env(state, hw))
        t0 = time.monotonic()
        call(NAME, PATH, IFACE, 'GetStatus', GLib.Variant('(a{sv})', ({},)), '(s)')
        t1 = time.monotonic()
        call(NAME, PATH, IFACE, 'GetStatus', GLib.Variant('(a{sv})', ({},)), '(s)')
        t2 = time.monotonic()
        firsts.append((t1 - t0) * 1000)
        warms.append((t2 - t1) * 1000)
    print(f'activation-to-first-reply: median {statistics.median(firsts):.1f} ms '
          f'(min {min(firsts):.1f}, max {max(firsts):.1f}; warm call {statistics.median(warms):.2f} ms)')


def task_switches(pid):
    total = 0
    for tid in os.listdir(f'/proc/{pid}/task'):
        with open(f'/proc/{pid}/task/{tid}/status') as f:
            for line in f:
                if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                    total += int(line.split()[1])
    return total


def bench_idle(state, hw):
    stop_helper()
    write_bundle(state, 'idle/cpu', ['--mode', 'ok'])
    set_env(base_env(state, hw))
    call(NAME, PATH, IFACE, 'GetStatus', GLib.Variant('(a{sv})', ({},)), '(s)')
    pid = helper_pid()
    time.sleep(1.0)  # let the hardware probe thread finish
    with open(f'/proc/{pid}/status') as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith('VmRSS'))
    threads = len(os.listdir(f'/proc/{pid}/task'))
    before = task_switches(pid)
    perf = None
    if shutil.which('perf'):
        p = subprocess.run(['perf', 'stat', '-x', ',', '-e', 'raw_syscalls:sys_enter', '-p', str(pid),
                            '--', 'sleep', str(IDLE_S)], capture_output=True, text=True)
        m = re.search(r'^(\d+|<not counted>),.*raw_syscalls:sys_enter', p.stderr, re.M)
        # "<not counted>": the task never ran while perf watched, i.e. no syscalls.
        perf = (0 if m.group(1) == '<not counted>' else int(m.group(1))) if m else None
    else:
        time.sleep(IDLE_S)
    after = task_switches(pid)
    print(f'idle helper (1 runtime registered, none running): RSS {rss / 1024:.1f} MiB, {threads} threads')
    print(f'idle wakeups over {IDLE_S:.0f} s: {after - before} context switches'
          + (f', {perf} syscalls (perf raw_syscalls:sys_enter)' if perf is not None else ', perf unavailable'))


def read_log(state, bid):
    logs = os.path.join(state, 'runtime', 'logs')
    for name in os.listdir(logs):
        if name.startswith(bid.split('/')[0]):
            with open(os.path.join(logs, name), errors='replace') as f:
                return f.read()
    return ''


def bench_crash(state, hw):
    stop_helper()
    bid = 'crashy/cpu'
    write_bundle(state, bid, ['--mode', 'exit-after=200'], health=False)
    set_env(base_env(state, hw, ARW_RUNTIME_TIMING='1', ARW_RUNTIME_RESTART_MAX=str(RUNS + 1),
                     ARW_RUNTIME_BACKOFF_BASE_MS='20'))
    call(NAME, PATH, IFACE, 'Restore', GLib.Variant('(sa{sv})', (bid, {'no-restart': GLib.Variant('b', True)})),
         '(os)')
    deadline = time.monotonic() + 60
    lat = []
    while time.monotonic() < deadline:
        log = read_log(state, bid)
        exits = [int(x) for x in re.findall(r'exiting with \d+ mono_us=(\d+)', log)]
        sched = [int(x) for x in re.findall(r'timing: restart scheduled .*mono_us=(\d+)', log)]
        n = min(len(exits), len(sched))
        if n >= RUNS:
            lat = [(s - e) / 1000 for e, s in zip(exits[:n], sched[:n])]
            break
        time.sleep(0.1)
    call(NAME, PATH, IFACE, 'Shutdown', GLib.Variant('(sa{sv})', (bid, {})))
    if not lat:
        print('crash-to-restart-scheduled: no samples')
        return
    print(f'crash-to-restart-scheduled: median {statistics.median(lat):.2f} ms '
          f'(min {min(lat):.2f}, max {max(lat):.2f}, n={len(lat)}; ARW polls every 5000 ms)')


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def own_startup_ms():
    port = free_port()
    t0 = time.monotonic()
    p = subprocess.Popen([FAKE, '--port', str(port), '--mode', 'ok'], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f'http://127.0.0.1:{port}/health', timeout=1) as r:
                    if r.status == 200:
                        return (time.monotonic() - t0) * 1000
            except OSError:
                time.sleep(0.0005)
    finally:
        p.terminate()
        p.wait()


def bench_restore(state, hw, interval_ms):
    stop_helper()
    bid = 'fast/cpu'
    write_bundle(state, bid, ['--mode', 'ok'])
    set_env(base_env(state, hw, ARW_RUNTIME_HEALTH_INTERVAL_MS=str(interval_ms)))
    call(NAME, PATH, IFACE, 'GetStatus', GLib.Variant('(a{sv})', ({},)), '(s)')
    rt_path = PATH + '/runtime/' + 'fast_2fcpu'
    proxy = Gio.DBusProxy.new_sync(bus, Gio.DBusProxyFlags.NONE, None, NAME, rt_path,
                                   'org.arw.Launcher.Runtime1', None)
    totals = []
    for _ in range(RUNS):
        t0 = time.monotonic()
        call(NAME, PATH, IFACE, 'Restore', GLib.Variant('(sa{sv})', (bid, {'no-restart': GLib.Variant('b', True)})),
             '(os)')
        run_context_until(lambda: proxy.get_cached_property('State').unpack() == 'ready', 60)
        totals.append((time.monotonic() - t0) * 1000)
        call(NAME, PATH, IFACE, 'Shutdown', GLib.Variant('(sa{sv})', (bid, {})))
        run_context_until(lambda: proxy.get_cached_property('State').unpack() == 'offline', 60)
    own = statistics.median(own_startup_ms() for _ in range(RUNS))
    total = statistics.median(totals)
    print(f'restore → ready (health interval {interval_ms} ms): median {total:.1f} ms; runtime own start-up '
          f'{own:.1f} ms; overhead {total - own:.1f} ms')


def main():
    work = tempfile.mkdtemp(prefix='arw-bench-helper.')
    state, hw = os.path.join(work, 'state'), os.path.join(work, 'hw')
    os.makedirs(state)
    os.makedirs(hw)
    try:
        bench_activation(state, hw)
        bench_idle(state, hw)
        bench_crash(state, hw)
        bench_restore(state, hw, 100)
        bench_restore(state, hw, 5000)
    finally:
        stop_helper()
        shutil.rmtree(work, ignore_errors=True)


main()
