#!/usr/bin/env python3
"""Check that docker-compose.yml agrees with config/wiredesk.toml.

    python3 scripts/check-compose.py [CONFIG_TOML] [--compose COMPOSE_YML]

Checks:
  * services kafka, kafka-init and wiredesk exist;
  * kafka-init creates every topic the config names ([topics].input,
    [topics].enriched, [topics].dead_letter, [topics].duplicates and
    [dedup].changelog_topic), the changelog with cleanup.policy=compact;
  * wiredesk's brokers (--brokers or WIREDESK_KAFKA__BROKERS) are a listener
    that kafka advertises;
  * wiredesk publishes the port of [http].listen (after a WIREDESK_HTTP__LISTEN
    override in the service's environment), and does not listen on loopback
    only inside the container;
  * every file or directory bind-mounted into a service exists (Docker would
    otherwise make an empty directory in its place), and mounted .yml/.yaml
    and .json files parse;
  * if there is a prometheus service, its mounted configuration scrapes
    wiredesk at the port wiredesk listens on.

Prints what it checked; exits 1 with a message for each mismatch.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HTTP_LISTEN = "127.0.0.1:9464"

errors: list[str] = []


def ok(msg: str) -> None:
    print(f"  ok    {msg}")


def fail(msg: str) -> None:
    print(f"  FAIL  {msg}")
    errors.append(msg)


def as_text(value) -> str:
    """A compose command/entrypoint (string or list) as one shell text."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def environment(service: dict) -> dict[str, str]:
    """A service's environment, whether written as a mapping or a list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            key, _, val = str(item).partition("=")
            out[key] = val
        return out
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def created_topics(script: str) -> dict[str, dict]:
    """Topics created by kafka-topics(.sh) --create in a shell script.

    Understands simple `NAME="..."` assignments used as a command prefix
    (`$NAME --topic x`). Returns {topic: {"partitions": int|None,
    "config": {k: v}}}.
    """
    script = script.replace("$$", "$")  # compose escaping, if left in
    script = script.replace("\\\n", " ")
    variables: dict[str, str] = {}
    topics: dict[str, dict] = {}
    for raw_line in re.split(r"\n|&&|;", script):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
        if m:
            try:
                words = shlex.split(m.group(2))
            except ValueError:
                words = [m.group(2)]
            variables[m.group(1)] = " ".join(words)
            continue
        for name, val in variables.items():
            line = re.sub(r"\$\{" + name + r"\}|\$" + name + r"\b", lambda _: val, line)
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if not any("kafka-topics" in w or w.endswith("TopicCommand") for w in words):
            continue
        if "--create" not in words:
            continue
        topic, partitions, config = None, None, {}
        for i, w in enumerate(words):
            nxt = words[i + 1] if i + 1 < len(words) else None
            if w == "--topic":
                topic = nxt
            elif w.startswith("--topic="):
                topic = w.split("=", 1)[1]
            elif w == "--partitions" and nxt is not None:
                partitions = int(nxt) if nxt.isdigit() else None
            elif w == "--config" and nxt is not None:
                k, _, v = nxt.partition("=")
                config[k] = v
        if topic:
            topics[topic] = {"partitions": partitions, "config": config}
    return topics


def split_host_port(addr: str) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {addr!r}")
    return host.strip("[]"), int(port)


def published_container_ports(service: dict) -> set[int]:
    """Container ports of a service's `ports:` (short or long syntax)."""
    out: set[int] = set()
    for p in service.get("ports") or []:
        if isinstance(p, dict):
            if "target" in p:
                out.add(int(p["target"]))
            continue
        spec = str(p).split("/", 1)[0]  # drop /tcp
        target = spec.rsplit(":", 1)[-1]
        if "-" in target:
            lo, hi = target.split("-", 1)
            out.update(range(int(lo), int(hi) + 1))
        elif target.isdigit():
            out.add(int(target))
    return out


def bind_mounts(service: dict, base: Path) -> list[tuple[Path, str]]:
    """(host path, container path) of a service's bind mounts (short or long
    syntax); named volumes are left out."""
    out: list[tuple[Path, str]] = []
    for v in service.get("volumes") or []:
        if isinstance(v, dict):
            if v.get("type") != "bind" or "source" not in v or "target" not in v:
                continue
            source, target = str(v["source"]), str(v["target"])
        else:
            parts = str(v).split(":")
            if len(parts) < 2:
                continue  # an anonymous volume
            source, target = parts[0], parts[1]
            if not source.startswith((".", "/", "~")):
                continue  # a named volume
        path = Path(source).expanduser()
        out.append((path if path.is_absolute() else base / path, target))
    return out


def host_path(mounts: list[tuple[Path, str]], container_path: str) -> Path | None:
    """The host path that container_path comes from, through a file mount or
    a mounted directory above it."""
    for source, target in mounts:
        target = target.rstrip("/")
        if container_path == target:
            return source
        if container_path.startswith(target + "/"):
            return source / container_path[len(target) + 1:]
    return None


def scrape_targets(prom_config: dict) -> list[tuple[str, str]]:
    """(job_name, HOST:PORT) of every static scrape target."""
    out = []
    for job in prom_config.get("scrape_configs") or []:
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                out.append((str(job.get("job_name", "?")), str(target)))
    return out


def command_words(service: dict) -> list[str]:
    """A service's `command` as words (list or shell string form)."""
    cmd = service.get("command")
    try:
        words = cmd if isinstance(cmd, list) else shlex.split(as_text(cmd))
    except ValueError:
        words = []
    return [str(w) for w in words]


def option_value(words: list[str], option: str) -> str | None:
    for i, w in enumerate(words):
        if w == option and i + 1 < len(words):
            return words[i + 1]
        if w.startswith(option + "="):
            return w.split("=", 1)[1]
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("config", nargs="?", default=str(ROOT / "config" / "wiredesk.toml"),
                    help="wiredesk TOML config (default: config/wiredesk.toml)")
    ap.add_argument("--compose", default=str(ROOT / "docker-compose.yml"),
                    help="compose file (default: docker-compose.yml)")
    args = ap.parse_args()

    config_path, compose_path = Path(args.config), Path(args.compose)
    print(f"check-compose: {compose_path} against {config_path}")
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        print(f"check-compose: cannot read {config_path}: {e}", file=sys.stderr)
        return 1
    try:
        compose = yaml.safe_load(compose_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        print(f"check-compose: cannot read {compose_path}: {e}", file=sys.stderr)
        return 1

    services = compose.get("services") or {}
    for name in ("kafka", "kafka-init", "wiredesk"):
        if name in services:
            ok(f"service {name} exists")
        else:
            fail(f"service {name!r} is missing from {compose_path.name}")

    # --- topics ------------------------------------------------------------
    topics_cfg = config.get("topics") or {}
    dedup_cfg = config.get("dedup") or {}
    wanted: list[tuple[str, str]] = []  # (config key, topic)
    inputs = topics_cfg.get("input")
    if isinstance(inputs, str):
        inputs = [inputs]
    if not inputs:
        fail(f"{config_path.name}: [topics].input is missing or empty")
    for i, t in enumerate(inputs or []):
        wanted.append((f"topics.input[{i}]", t))
    for key in ("enriched", "dead_letter"):
        if key in topics_cfg:
            wanted.append((f"topics.{key}", topics_cfg[key]))
        else:
            fail(f"{config_path.name}: [topics].{key} is missing")
    if "duplicates" in topics_cfg:  # optional in the config
        wanted.append(("topics.duplicates", topics_cfg["duplicates"]))
    changelog = dedup_cfg.get("changelog_topic")
    if changelog:
        wanted.append(("dedup.changelog_topic", changelog))
    else:
        fail(f"{config_path.name}: [dedup].changelog_topic is missing")

    init = services.get("kafka-init") or {}
    created = created_topics(as_text(init.get("entrypoint")) + "\n" + as_text(init.get("command")))
    for key, topic in wanted:
        if topic not in created:
            fail(f"kafka-init does not create {topic!r} ({key} in {config_path.name}); "
                 f"it creates: {', '.join(sorted(created)) or 'nothing'}")
            continue
        parts = created[topic]["partitions"]
        ok(f"kafka-init creates {topic} ({key}, partitions={parts if parts else 'default'})")
    if changelog and changelog in created:
        policy = created[changelog]["config"].get("cleanup.policy", "")
        if "compact" in policy.split(","):
            ok(f"{changelog} is created with cleanup.policy={policy}")
        else:
            fail(f"changelog topic {changelog!r} must be created with "
                 f"--config cleanup.policy=compact (got {policy or 'no cleanup.policy'})")

    depends = (services.get("wiredesk") or {}).get("depends_on") or {}
    if isinstance(depends, dict):
        cond = (depends.get("kafka-init") or {}).get("condition")
        if cond == "service_completed_successfully":
            ok("wiredesk waits for kafka-init to complete successfully")
        else:
            fail("wiredesk must depend on kafka-init with "
                 "condition: service_completed_successfully")
    else:
        fail("wiredesk's depends_on must be a mapping with kafka-init's condition")

    # --- brokers -----------------------------------------------------------
    wd = services.get("wiredesk") or {}
    wd_env = environment(wd)
    brokers = option_value(command_words(wd), "--brokers") \
        or wd_env.get("WIREDESK_KAFKA__BROKERS") \
        or (config.get("kafka") or {}).get("brokers")
    advertised = environment(services.get("kafka") or {}).get("KAFKA_ADVERTISED_LISTENERS", "")
    advertised_addrs = {a.split("://", 1)[-1] for a in advertised.split(",") if a}
    if brokers:
        missing = [b for b in str(brokers).split(",") if b.strip() not in advertised_addrs]
        if missing:
            fail(f"wiredesk's brokers {brokers!r} are not among kafka's advertised listeners "
                 f"({advertised or 'none'})")
        else:
            ok(f"wiredesk's brokers {brokers} are advertised by kafka")
    else:
        fail("wiredesk has no brokers (--brokers, WIREDESK_KAFKA__BROKERS or [kafka].brokers)")

    # --- http port ---------------------------------------------------------
    wd_port: int | None = None
    listen_cfg = (config.get("http") or {}).get("listen", DEFAULT_HTTP_LISTEN)
    listen = wd_env.get("WIREDESK_HTTP__LISTEN", listen_cfg)
    source = "WIREDESK_HTTP__LISTEN in compose" if "WIREDESK_HTTP__LISTEN" in wd_env \
        else f"[http].listen in {config_path.name}"
    try:
        host, port = split_host_port(str(listen))
    except ValueError as e:
        fail(f"{source}: {e}")
    else:
        wd_port = port
        published = published_container_ports(wd)
        if port in published:
            ok(f"wiredesk publishes port {port} ({source} = {listen})")
        else:
            fail(f"wiredesk listens on port {port} ({source} = {listen}) but publishes "
                 f"{sorted(published) or 'no ports'}")
        if host in ("127.0.0.1", "localhost", "::1") or host.startswith("127."):
            fail(f"wiredesk would listen on {listen} ({source}): loopback inside the "
                 "container is unreachable through the published port; set "
                 "WIREDESK_HTTP__LISTEN=0.0.0.0:PORT in the wiredesk service")
        else:
            ok(f"wiredesk listens beyond loopback in the container ({listen})")

    # --- mounted files -----------------------------------------------------
    base = compose_path.resolve().parent
    for name, service in services.items():
        for source, target in bind_mounts(service or {}, base):
            try:
                shown = source.relative_to(base)
            except ValueError:
                shown = source
            if not source.exists():
                fail(f"{name} mounts {shown} at {target}, but {shown} does not exist")
                continue
            if source.is_file() and source.suffix in (".yml", ".yaml", ".json"):
                try:
                    text = source.read_text(encoding="utf-8")
                    json.loads(text) if source.suffix == ".json" else yaml.safe_load(text)
                except (OSError, ValueError, yaml.YAMLError) as e:
                    fail(f"{name} mounts {shown}, which does not parse: {e}")
                    continue
            ok(f"{name} mounts {shown} at {target}")

    # --- prometheus --------------------------------------------------------
    prom = services.get("prometheus")
    if prom is not None:
        prom = prom or {}
        config_file = option_value(command_words(prom), "--config.file") \
            or "/etc/prometheus/prometheus.yml"
        source = host_path(bind_mounts(prom, base), config_file)
        prom_config = None
        if source is None:
            fail(f"prometheus reads {config_file}, but nothing is mounted there")
        elif source.is_file():
            try:
                prom_config = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError):
                pass  # reported with the mounts above
        if isinstance(prom_config, dict):
            names = {"wiredesk", str(wd.get("hostname", "wiredesk")),
                     str(wd.get("container_name", "wiredesk"))}
            found = []
            for job, target in scrape_targets(prom_config):
                try:
                    host, port = split_host_port(target)
                except ValueError:
                    continue
                if host in names:
                    found.append((job, target, port))
            if not found:
                fail(f"prometheus ({source.name}) has no static scrape target for wiredesk "
                     f"(wiredesk:{wd_port or 'PORT'})")
            for job, target, port in found:
                if wd_port is None:
                    continue
                if port == wd_port:
                    ok(f"prometheus job {job} scrapes {target}, the port wiredesk listens on")
                else:
                    fail(f"prometheus job {job} scrapes {target}, but wiredesk listens on "
                         f"port {wd_port}")

    if errors:
        print(f"check-compose: {len(errors)} mismatch(es) between {compose_path.name} "
              f"and {config_path.name}:", file=sys.stderr)
        for e in errors:
            print(f"  - {e}", file=sys.stderr)
        return 1
    print("check-compose: docker-compose.yml agrees with the config")
    return 0


if __name__ == "__main__":
    sys.exit(main())
