/**
 * Why a keepalived option has no vipd counterpart, by where it stands. An option the importer
 * does not know at all is reported too ("not known to the importer"): nothing is dropped silently.
 */

const MAIL = 'vipd sends no mail; notify.webhooks POSTs each role change as JSON (docs/notify.md)';
const LVS = 'vipd has no LVS (IPVS) part: it moves addresses, not load-balancer tables';
const SCHEDULING = "process scheduling and limits: set them in vipd's systemd unit (Nice=, CPUSchedulingPolicy=, LimitRTTIME=)";
const SNMP = 'vipd has no SNMP agent; it exports Prometheus metrics (docs/metrics.md)';
const DBUS = 'vipd has no D-Bus interface; its HTTP API and vipctl show and change state (docs/api.md)';
const FIFO = 'vipd has no notify FIFO; notify.script gets the same four words, notify.webhooks a JSON POST (docs/notify.md)';
const FIREWALL = 'vipd adds no firewall rules (keepalived adds them for no_accept and strict mode)';
const NETLINK = 'kernel interface handling that vipd does its own way: no setting is needed';
const NAMESPACE = 'vipd runs in the network namespace it is started in';
const RFC_TIMING = 'vipd keeps RFC 5798 timing and ordering (Master_Down_Interval = 3 × Advertisement_Interval + Skew_Time, §6.1; §6.4.3)';
const VMAC = "vipd sends from the interface's own MAC address: it creates no macvlan or ipvlan (RFC 5798 §7.3's virtual MAC is optional for a host)";
const SOURCE = "vipd sends VRRP from the interface's primary address, which is also its tie-break identity (RFC 5798 §6.4.3, docs/lan-mode.md)";
const UNICAST_VRRP = "a setting of keepalived's unicast VRRP, which vipd does not speak (see unicast_peer)";
const GARP_LOWER = 'vipd does not re-announce when it hears a lower-priority advert; its refresh (garp_refresh, default 60s) re-announces anyway';
const ROUTES = 'vipd moves addresses, not routes or rules: add them with the system, or use the aws provider (mode route) for VPC route tables';
const STATIC = 'vipd manages only the VIPs of its groups: configure static addresses, routes and rules with the system (systemd-networkd, ifupdown, NetworkManager)';
const BFD = "vipd's BFD (bfd:) runs between vipd nodes of unicast groups (docs/bfd.md); it does not track keepalived's bfd_instance peers";

const TOP: Record<string, string> = {
  virtual_server: LVS,
  virtual_server_group: LVS,
  static_ipaddress: STATIC,
  static_routes: STATIC,
  static_rules: STATIC,
  linkbeat_interfaces: 'vipd reads each tracked link from /sys/class/net (checks of type interface); no polling setting is needed',
  garp_group: "vipd spaces announcements per group (the local provider's garp_interval), not per interface or switch",
  bfd_instance: BFD,
  track_group: 'static track groups apply to static addresses and routes, which vipd does not manage',
  net_namespace: NAMESPACE,
  net_namespace_ipvs: NAMESPACE,
  namespace_with_ipsets: NAMESPACE,
  instance: 'vipd needs no instance name: one vipd runs one configuration file',
  use_pid_dir: 'vipd writes no pid file; run it under systemd',
  child_wait_time: "vipd is one process: there are no children to wait for",
};

const GLOBAL: Record<string, string> = {
  notification_email: MAIL, notification_email_from: MAIL, smtp_server: MAIL, smtp_connect_timeout: MAIL, smtp_helo_name: MAIL,
  smtp_alert: MAIL, smtp_alert_vrrp: MAIL, smtp_alert_checker: MAIL, no_email_faults: MAIL, email_faults: MAIL,
  lvs_id: LVS, lvs_sync_daemon: LVS, lvs_timeouts: LVS, lvs_flush: LVS, lvs_flush_on_stop: LVS, checker_log_all_failures: LVS,
  vrrp_mcast_group4: 'vipd uses the IANA groups only: 224.0.0.18 and ff02::12 (RFC 5798 §5.1.1.2, §5.1.2.2)',
  vrrp_mcast_group6: 'vipd uses the IANA groups only: 224.0.0.18 and ff02::12 (RFC 5798 §5.1.1.2, §5.1.2.2)',
  vrrp_strict: 'vipd has no strict mode: it never sends authentication with VRRPv3, and refuses unicast VRRP, which is most of what strict mode enforces',
  vrrp_iptables: FIREWALL, vrrp_ipsets: FIREWALL, nftables: FIREWALL, nftables_priority: FIREWALL, nftables_ifindex: FIREWALL, nftables_counters: FIREWALL,
  nftables_ipvs_priority: FIREWALL,
  vrrp_skip_check_adv_addr: 'vipd checks every received advert the same way (docs/lan-mode.md "What vipd checks on receive")',
  vrrp_check_unicast_src: UNICAST_VRRP,
  script_user: 'vipd runs checks and hooks as the user vipd runs as; there is no per-script user (set User= in its systemd unit)',
  enable_script_security: 'vipd does not check who owns a script: keep checks and hooks owned by root and writable by root only',
  vrrp_garp_lower_prio_repeat: GARP_LOWER, vrrp_garp_lower_prio_delay: GARP_LOWER,
  vrrp_garp_master_refresh_repeat: 'vipd sends one announcement round per refresh',
  vrrp_gna_interval: "vipd spaces unsolicited NAs like gratuitous ARPs (the local provider's garp_interval, from vrrp_garp_interval)",
  vrrp_garp_extra_if: 'vipd announces on the group interface only', vrrp_garp_extra_if_vmac: 'vipd announces on the group interface only',
  enable_snmp_vrrp: SNMP, enable_snmp_checker: SNMP, enable_snmp_rfc: SNMP, enable_snmp_rfcv2: SNMP, enable_snmp_rfcv3: SNMP, enable_traps: SNMP, snmp_socket: SNMP, enable_snmp_keepalived: SNMP,
  enable_dbus: DBUS, enable_dbus_read_only: DBUS, dbus_service_name: DBUS, dbus_no_interface_name: DBUS,
  notify_fifo: FIFO, notify_fifo_script: FIFO, vrrp_notify_fifo: FIFO, vrrp_notify_fifo_script: FIFO, lvs_notify_fifo: FIFO, lvs_notify_fifo_script: FIFO,
  fifo_write_vrrp_states_on_reload: FIFO, vrrp_notify_priority_changes: FIFO,
  vrrp_priority: SCHEDULING, checker_priority: SCHEDULING, bfd_priority: SCHEDULING, vrrp_rt_priority: SCHEDULING, checker_rt_priority: SCHEDULING,
  bfd_rt_priority: SCHEDULING, vrrp_no_swap: SCHEDULING, checker_no_swap: SCHEDULING, bfd_no_swap: SCHEDULING, vrrp_cpu_affinity: SCHEDULING,
  checker_cpu_affinity: SCHEDULING, bfd_cpu_affinity: SCHEDULING, vrrp_rlimit_rttime: SCHEDULING, checker_rlimit_rttime: SCHEDULING,
  bfd_rlimit_rttime: SCHEDULING, max_auto_priority: SCHEDULING, min_auto_priority_delay: SCHEDULING,
  dynamic_interfaces: NETLINK, default_interface: STATIC, vrrp_netlink_cmd_rcv_bufs: NETLINK, vrrp_netlink_cmd_rcv_bufs_force: NETLINK,
  vrrp_netlink_monitor_rcv_bufs: NETLINK, vrrp_netlink_monitor_rcv_bufs_force: NETLINK, lvs_netlink_cmd_rcv_bufs: NETLINK,
  lvs_netlink_cmd_rcv_bufs_force: NETLINK, lvs_netlink_monitor_rcv_bufs: NETLINK, lvs_netlink_monitor_rcv_bufs_force: NETLINK,
  process_monitor_rcv_bufs: NETLINK, process_monitor_rcv_bufs_force: NETLINK, vrrp_rx_bufs_policy: NETLINK, vrrp_rx_bufs_multiplier: NETLINK,
  vrrp_down_timer_adverts: RFC_TIMING, vrrp_lower_prio_no_advert: RFC_TIMING, vrrp_higher_prio_send_advert: RFC_TIMING,
  vrrp_startup_delay: 'vipd starts every VRRP group as Backup and waits Master_Down_Interval; there is no extra start-up delay for VRRP groups',
  net_namespace: NAMESPACE, net_namespace_ipvs: NAMESPACE, namespace_with_ipsets: NAMESPACE,
  instance: TOP.instance as string, use_pid_dir: TOP.use_pid_dir as string,
  script_security: 'vipd does not check who owns a script',
  vmac_prefix: VMAC, vmac_addr_prefix: VMAC,
  shutdown_script: 'vipd runs no script of its own at shutdown: each group\'s notify.stop runs as it stops',
  startup_script: 'vipd runs no script at start-up: use ExecStartPre= in its systemd unit',
  reload_time_file: 'vipd reloads on SIGHUP (systemctl reload), at once', reload_repeat: 'vipd reloads on SIGHUP, at once',
  reload_check_config: 'vipd checks a reloaded file before applying it, always (vipd check -c FILE checks one by hand)',
  config_save_dir: 'no vipd equivalent', data_use_instance: 'no vipd equivalent', tmp_config_directory: 'no vipd equivalent',
  random_seed: 'no vipd equivalent',
};

const INSTANCE: Record<string, string> = {
  use_vmac: VMAC, vmac_xmit_base: VMAC, use_vmac_addr: VMAC, use_ipvlan: VMAC,
  dont_track_primary: "vipd always puts a group in Fault while its interface's link is down (docs/lan-mode.md \"The local provider\")",
  mcast_src_ip: SOURCE, unicast_src_ip: SOURCE,
  mcast_dst_ip: 'vipd uses the IANA groups only: 224.0.0.18 and ff02::12 (RFC 5798 §5.1.1.2, §5.1.2.2)',
  track_src_ip: SOURCE,
  check_unicast_src: UNICAST_VRRP, unicast_ttl: UNICAST_VRRP, unicast_fault_no_peer: UNICAST_VRRP, old_unicast_checksum: UNICAST_VRRP,
  v3_checksum_as_v2: 'vipd computes the VRRPv3 IPv4 checksum with the pseudo-header (RFC 5798 §5.2.8), as keepalived does by default',
  accept: 'vipd does not filter traffic to the VIPs (Accept_Mode, RFC 5798 §6.1): the kernel accepts it',
  no_accept: 'vipd does not filter traffic to the VIPs (Accept_Mode, RFC 5798 §6.1): the kernel accepts it; add firewall rules to drop it',
  strict_mode: GLOBAL.vrrp_strict as string,
  skip_check_adv_addr: GLOBAL.vrrp_skip_check_adv_addr as string,
  lower_prio_no_advert: RFC_TIMING, higher_prio_send_advert: RFC_TIMING, down_timer_adverts: RFC_TIMING,
  timer_expired_backup: RFC_TIMING,
  debug: 'vipd has one log level for the process (log.level)',
  kernel_rx_buf_size: NETLINK, linkbeat_use_polling: TOP.linkbeat_interfaces as string,
  promote_secondaries: 'vipd does not set interface flags: set net.ipv4.conf.IF.promote_secondaries=1 with sysctl',
  no_virtual_ipaddress: 'vipd needs at least one VIP per group (an advert carries 1 or more, RFC 5798 §5.2.5)',
  virtual_routes: ROUTES, virtual_rules: ROUTES,
  smtp_alert: MAIL,
  notify_priority_changes: FIFO,
  notify_master_rx_lower_pri: 'vipd runs no hook when a master hears a lower priority; the aws provider re-asserts the cloud resource itself (reassert_interval)',
  notify_deleted: 'vipd deletes no group on reload (a removed group needs a restart); notify.stop runs when a group stops',
  garp_lower_prio_delay: GARP_LOWER, garp_lower_prio_repeat: GARP_LOWER,
  garp_master_refresh_repeat: GLOBAL.vrrp_garp_master_refresh_repeat as string,
  garp_extra_if: 'vipd announces on the group interface only',
  track_bfd: BFD,
  auth_hmac: "vipd's VRRP adverts carry no keepalived auth_hmac trailer; vipd's own signing (auth:) covers its unicast gRPC transport (docs/security.md)",
  vrf: NAMESPACE,
};

/** Why `keyword` at this level is not mapped. */
export function unmappedReason(level: 'top' | 'global_defs' | 'vrrp_instance', keyword: string): string {
  const table = level === 'top' ? TOP : level === 'global_defs' ? GLOBAL : INSTANCE;
  if (Object.hasOwn(table, keyword)) return table[keyword] as string;
  if (level === 'global_defs' && /^(lvs|checker)_/.test(keyword)) return LVS;
  return 'not known to the importer; it has no vipd equivalent that the importer knows of';
}
