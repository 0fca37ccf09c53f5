# send-garp.pl IFINDEX MAC IPV4 COUNT INTERVAL_MS [PIDFILE]
#
# Gratuitous ARP for ocf:pulse:IPaddr, with nothing but perl-base (Essential on Debian): one
# broadcast ARP request and one ARP reply, both saying "IPV4 is at MAC", sent on the interface
# IFINDEX through an AF_PACKET socket. The first pair goes out before this program returns, so
# clients switch to the new owner before the IPaddr start has even finished (arping needs some
# 50 ms just to start). The remaining COUNT-1 pairs, INTERVAL_MS apart, are sent by a child in its
# own process group whose PID goes to PIDFILE, so the agent can stop it as a group.
# Only built-ins and strict: loading POSIX or warnings would cost 5 to 40 ms before the first
# packet, and that delay is the clients' outage.
use strict;

my ($ifindex, $mac, $ip, $count, $interval_ms, $pidfile) = @ARGV;
die "usage: send-garp.pl IFINDEX MAC IPV4 COUNT INTERVAL_MS [PIDFILE]\n"
    unless defined $interval_ms && $ifindex =~ /^\d+$/ && $mac =~ /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i
    && $ip =~ /^\d+\.\d+\.\d+\.\d+$/ && $count =~ /^\d+$/ && $interval_ms =~ /^\d+$/;
exit 0 if $count < 1;

my $AF_PACKET = 17;
my $SOCK_RAW = 3;
my $ETH_P_ARP = 0x0806;
socket(my $sock, $AF_PACKET, $SOCK_RAW, 0) or die "socket(AF_PACKET): $!\n";

my $bcast = pack("C6", (255) x 6);
my $src = pack("C6", map { hex } split /:/, $mac);
my $ipb = pack("C4", split /\./, $ip);
# Ethernet header, then ARP: htype 1 (Ethernet), ptype IPv4, hlen 6, plen 4, op.
my $head = $bcast . $src . pack("n", $ETH_P_ARP) . pack("nnCC", 1, 0x0800, 6, 4);
my @frames = (
    $head . pack("n", 1) . $src . $ipb . pack("C6", (0) x 6) . $ipb,   # request: who has IP? (sender = target)
    $head . pack("n", 2) . $src . $ipb . $bcast . $ipb,                # reply: IP is at MAC
);
$_ .= "\0" x (60 - length $_) for @frames;   # minimum Ethernet frame
# struct sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8]
my $dest = pack("SniSCCa8", $AF_PACKET, $ETH_P_ARP, $ifindex, 1, 0, 6, $bcast);

sub burst {
    for my $f (@frames) {
        send($sock, $f, 0, $dest) or die "send on interface $ifindex: $!\n";
    }
}

burst();
exit 0 if $count == 1;

my $pid = fork();
die "fork: $!\n" unless defined $pid;
if ($pid) {
    if (defined $pidfile && $pidfile ne "") {
        open(my $fh, '>', $pidfile) or die "$pidfile: $!\n";
        print $fh "$pid\n";
        close $fh;
    }
    exit 0;
}
setpgrp(0, 0);
open(STDIN, '<', '/dev/null');
open(STDOUT, '>', '/dev/null');
open(STDERR, '>', '/dev/null');
for (2 .. $count) {
    select(undef, undef, undef, $interval_ms / 1000);
    burst();
}
exit 0;
