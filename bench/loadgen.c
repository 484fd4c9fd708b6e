/*
 * loadgen.c -- epoll ping-pong load generator for bench/echo_bench.py.
 *
 * Opens C connections to HOST:PORT (at most 64 handshakes in flight, so a small listen backlog
 * never overflows), proves each one is served with a 1-byte round trip, prints "IDLE_READY n",
 * optionally waits for a line on stdin (the driver samples the server's RSS meanwhile), then
 * runs a closed-loop ping-pong of SIZE-byte messages on the first A connections. Every echoed
 * byte is compared with what was sent: byte i of message k on connection c is (c*7+k*13+i)&255.
 * It prints "MEASURE_START" after the warm-up and "MEASURE_END" after the measured window (the
 * driver samples the server's CPU time at both), then one JSON line with the results.
 * Sockets are closed with SO_LINGER 0 (RST) so repeated runs leave no TIME_WAIT behind.
 *
 * Build: gcc -O2 -o loadgen loadgen.c
 * Usage: loadgen -h HOST -p PORT -c CONNS -a ACTIVE -s SIZE -w WARMUP_S -d DURATION_S [-g] [-T S]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HIST_US 1000000 /* 1 us buckets up to 1 s; slower ones land in `over` */
#define MAX_SIZE (1 << 20)
#define HANDSHAKE_INFLIGHT 64

enum { ST_CONNECTING, ST_HANDSHAKE, ST_READY, ST_DEAD };

typedef struct {
    int fd;
    int state;
    uint32_t seq;      /* message number */
    uint32_t sent;     /* bytes of the current message written */
    uint32_t recvd;    /* bytes of the current message read back and verified */
    int want_out;      /* EPOLLOUT registered */
    double t_send;     /* when the current message started */
    uint64_t reqs;     /* completed in the measured window */
} conn_t;

static conn_t *conns;
static int nconns, nactive, msg_size, epfd;
static uint8_t *pattern; /* pattern[j] = j & 255, MAX_SIZE + 256 long */
static uint32_t *hist;
static uint64_t over, reqs_window, bytes_verified, errors, verify_errors;
static int measuring;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

static void ep_set(int i, uint32_t events, int op) {
    struct epoll_event ev = {.events = events, .data.u32 = (uint32_t)i};
    if (epoll_ctl(epfd, op, conns[i].fd, &ev) < 0 && op != EPOLL_CTL_DEL) {
        perror("epoll_ctl");
        exit(3);
    }
}

static void kill_conn(int i) {
    conn_t *c = &conns[i];
    if (c->state == ST_DEAD) return;
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    struct linger lg = {1, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c->fd);
    c->state = ST_DEAD;
    errors++;
}

static const uint8_t *msg_bytes(int i) {
    conn_t *c = &conns[i];
    return pattern + (((uint32_t)i * 7u + c->seq * 13u) & 255u);
}

/* Write what is left of the current message; register EPOLLOUT only while it is needed. */
static void send_rest(int i) {
    conn_t *c = &conns[i];
    while (c->sent < (uint32_t)msg_size) {
        ssize_t n = write(c->fd, msg_bytes(i) + c->sent, msg_size - c->sent);
        if (n < 0) {
            if (errno == EAGAIN) {
                if (!c->want_out) {
                    c->want_out = 1;
                    ep_set(i, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
                }
                return;
            }
            if (errno == EINTR) continue;
            kill_conn(i);
            return;
        }
        c->sent += (uint32_t)n;
    }
    if (c->want_out) {
        c->want_out = 0;
        ep_set(i, EPOLLIN, EPOLL_CTL_MOD);
    }
}

static void start_msg(int i) {
    conn_t *c = &conns[i];
    c->sent = 0;
    c->recvd = 0;
    c->t_send = now_s();
    send_rest(i);
}

static void on_read(int i, uint8_t *buf, size_t cap) {
    conn_t *c = &conns[i];
    size_t want = (size_t)msg_size - c->recvd;
    ssize_t n = read(c->fd, buf, want < cap ? want : cap);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        kill_conn(i);
        return;
    }
    if (memcmp(buf, msg_bytes(i) + c->recvd, (size_t)n) != 0) {
        verify_errors++;
        kill_conn(i);
        return;
    }
    c->recvd += (uint32_t)n;
    bytes_verified += (uint64_t)n;
    if (c->recvd < (uint32_t)msg_size) return;
    if (measuring) {
        double lat = (now_s() - c->t_send) * 1e6;
        if (lat < HIST_US) hist[(int)lat]++;
        else over++;
        reqs_window++;
        c->reqs++;
    }
    c->seq++;
    start_msg(i);
}

static double pct(double p, uint64_t total) {
    if (total == 0) return 0;
    uint64_t target = (uint64_t)(p * (double)total);
    if (target >= total) target = total - 1;
    uint64_t acc = 0;
    for (int k = 0; k < HIST_US; k++) {
        acc += hist[k];
        if (acc > target) return k + 0.5;
    }
    return HIST_US;
}

static int open_conn(int i, struct sockaddr_in *sa) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conns[i].fd = fd;
    conns[i].state = ST_CONNECTING;
    if (connect(fd, (struct sockaddr *)sa, sizeof *sa) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    ep_set(i, EPOLLOUT, EPOLL_CTL_ADD);
    return 0;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 0, wait_go = 0, opt;
    double warmup = 0.5, duration = 2.0, connect_timeout = 60.0;
    nconns = 1;
    nactive = -1;
    msg_size = 64;
    while ((opt = getopt(argc, argv, "h:p:c:a:s:w:d:gT:")) != -1) {
        switch (opt) {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'c': nconns = atoi(optarg); break;
        case 'a': nactive = atoi(optarg); break;
        case 's': msg_size = atoi(optarg); break;
        case 'w': warmup = atof(optarg); break;
        case 'd': duration = atof(optarg); break;
        case 'g': wait_go = 1; break;
        case 'T': connect_timeout = atof(optarg); break;
        default: fprintf(stderr, "bad option\n"); return 2;
        }
    }
    if (nactive < 0 || nactive > nconns) nactive = nconns;
    if (port <= 0 || nconns <= 0 || msg_size <= 0 || msg_size > MAX_SIZE) {
        fprintf(stderr, "usage: loadgen -h HOST -p PORT -c CONNS [-a ACTIVE] -s SIZE\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    pattern = malloc(MAX_SIZE + 256);
    hist = calloc(HIST_US, sizeof *hist);
    conns = calloc((size_t)nconns, sizeof *conns);
    size_t cap = 256 * 1024;
    uint8_t *buf = malloc(cap);
    for (int j = 0; j < MAX_SIZE + 256; j++) pattern[j] = (uint8_t)j;
    epfd = epoll_create1(0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);

    /* Phase 1: connect everything, each proven by a 1-byte round trip. */
    double t0 = now_s();
    int next = 0, inflight = 0, ready = 0, failed = 0;
    int maxev = 1024;
    struct epoll_event *evs = calloc((size_t)maxev, sizeof *evs);
    while (ready + failed < nconns) {
        while (next < nconns && inflight < HANDSHAKE_INFLIGHT) {
            if (open_conn(next, &sa) < 0) {
                conns[next].state = ST_DEAD;
                failed++;
            } else {
                inflight++;
            }
            next++;
        }
        if (now_s() - t0 > connect_timeout) break;
        int n = epoll_wait(epfd, evs, maxev, 100);
        for (int k = 0; k < n; k++) {
            int i = (int)evs[k].data.u32;
            conn_t *c = &conns[i];
            if (c->state == ST_CONNECTING) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                uint8_t b = (uint8_t)(0x5a ^ i);
                if (err || write(c->fd, &b, 1) != 1) {
                    kill_conn(i);
                    inflight--;
                    failed++;
                    continue;
                }
                c->state = ST_HANDSHAKE;
                ep_set(i, EPOLLIN, EPOLL_CTL_MOD);
            } else if (c->state == ST_HANDSHAKE) {
                uint8_t b;
                ssize_t r = read(c->fd, &b, 1);
                if (r < 0 && errno == EAGAIN) continue;
                inflight--;
                if (r != 1 || b != (uint8_t)(0x5a ^ i)) {
                    if (r == 1) verify_errors++;
                    kill_conn(i);
                    failed++;
                    continue;
                }
                c->state = ST_READY;
                ready++;
            }
        }
    }
    double connect_s = now_s() - t0;
    uint64_t connect_errors = errors;
    printf("IDLE_READY %d\n", ready);
    fflush(stdout);
    if (wait_go) {
        char line[64];
        if (!fgets(line, sizeof line, stdin)) return 4;
    }

    /* Phase 2: closed-loop ping-pong on the first nactive connections. */
    for (int i = 0; i < nactive; i++)
        if (conns[i].state == ST_READY) start_msg(i);
    double t_start = now_s(), t_meas = t_start + warmup, t_end = t_meas + duration;
    double cpu0 = 0, cpu1 = 0, w0 = 0, w1 = 0;
    for (;;) {
        double t = now_s();
        if (!measuring && t >= t_meas && w0 == 0) {
            measuring = 1;
            w0 = t;
            cpu0 = cpu_s();
            printf("MEASURE_START\n");
            fflush(stdout);
        }
        if (measuring && t >= t_end) {
            measuring = 0;
            w1 = t;
            cpu1 = cpu_s();
            printf("MEASURE_END\n");
            fflush(stdout);
            break;
        }
        int n = epoll_wait(epfd, evs, maxev, 5);
        for (int k = 0; k < n; k++) {
            int i = (int)evs[k].data.u32;
            if (conns[i].state != ST_READY) continue;
            if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_read(i, buf, cap);
            if (conns[i].state == ST_READY && (evs[k].events & EPOLLOUT)) send_rest(i);
        }
    }
    uint64_t min_reqs = UINT64_MAX, starved = 0;
    for (int i = 0; i < nactive; i++) {
        if (conns[i].reqs < min_reqs) min_reqs = conns[i].reqs;
        if (conns[i].reqs == 0) starved++;
    }
    uint64_t total = reqs_window;
    double secs = w1 - w0;
    double maxlat = over ? HIST_US : 0;
    if (!over)
        for (int k = HIST_US - 1; k >= 0; k--)
            if (hist[k]) { maxlat = k + 0.5; break; }
    uint64_t run_errors = errors - connect_errors;
    for (int i = 0; i < nconns; i++) {
        if (conns[i].state == ST_DEAD) continue;
        struct linger lg = {1, 0};
        setsockopt(conns[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(conns[i].fd);
    }
    printf("{\"requests\": %llu, \"seconds\": %.6f, \"rps\": %.1f, \"p50_us\": %.1f, "
           "\"p99_us\": %.1f, \"p999_us\": %.1f, \"max_us\": %.1f, \"bytes_verified\": %llu, "
           "\"verify_errors\": %llu, \"errors\": %llu, \"connect_errors\": %llu, "
           "\"connected\": %d, \"conns\": %d, \"active\": %d, \"size\": %d, "
           "\"connect_s\": %.3f, \"cpu_s\": %.4f, \"min_conn_reqs\": %llu, \"starved\": %llu, "
           "\"generator\": \"c\"}\n",
           (unsigned long long)total, secs, secs > 0 ? (double)total / secs : 0.0,
           pct(0.50, total), pct(0.99, total), pct(0.999, total), maxlat,
           (unsigned long long)bytes_verified, (unsigned long long)verify_errors,
           (unsigned long long)run_errors, (unsigned long long)connect_errors, ready, nconns,
           nactive, msg_size, connect_s, cpu1 - cpu0,
           (unsigned long long)(min_reqs == UINT64_MAX ? 0 : min_reqs),
           (unsigned long long)starved);
    fflush(stdout);
    return 0;
}
