/*
 * greetload: a load generator for greeting servers (RFC 865 style: connect, read until the server
 * closes). Keeps C connections open at once for D seconds from T threads (epoll, non-blocking), checks
 * every greeting byte for byte, and prints throughput, latency percentiles and errors.
 *
 * Why C and not the client profile: the load generator shares the machine's two cores with the server
 * under test, so it must cost as little CPU per connection as possible; a JVM client would measure itself.
 *
 *   cc -O2 -pthread -o greetload greetload.c
 *   greetload -p PORT [-h 127.0.0.1] [-c 64] [-d 10] [-t 2] [-g "Hello World! This is Bhushan\r\n"]
 *             [-x PREAMBLE]
 *
 * -x sends PREAMBLE (escapes as in -g) on every connection as soon as it is writable, before reading:
 * a PROXY protocol header, say, for a listener with greeter.server.proxy-protocol=required.
 *
 * Output (one line): connections=N seconds=S rate=R p50_us=.. p99_us=.. max_us=.. errors=E verified=V
 * and, when E > 0, one line per error kind on stderr. Exit status 0 only when there were no errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECTION_TIMEOUT_NS (5LL * 1000 * 1000 * 1000)
#define MAX_GREETING (1 << 20)

enum error_kind { E_CONNECT, E_RESET, E_SHORT, E_LONG, E_MISMATCH, E_TIMEOUT, E_KINDS };
static const char *error_names[E_KINDS] = {"connect", "reset", "short", "long", "mismatch", "timeout"};

static struct sockaddr_in target;
static const unsigned char *expected;
static size_t expected_len;
static int64_t end_ns;
static unsigned char preamble[256];
static size_t preamble_len;

struct conn {
	int fd;
	int64_t start_ns;
	size_t received;
	int preamble_sent;
};

struct worker {
	pthread_t thread;
	int concurrency;
	uint64_t connections;
	uint64_t errors[E_KINDS];
	uint32_t *latencies_us;
	size_t latency_count, latency_capacity;
};

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void record_latency(struct worker *w, int64_t ns) {
	if (w->latency_count == w->latency_capacity) {
		w->latency_capacity = w->latency_capacity ? w->latency_capacity * 2 : 1 << 16;
		w->latencies_us = realloc(w->latencies_us, w->latency_capacity * sizeof(uint32_t));
		if (!w->latencies_us) {
			perror("realloc");
			exit(2);
		}
	}
	int64_t us = ns / 1000;
	w->latencies_us[w->latency_count++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t) us;
}

/* Open a new non-blocking connection; returns 0, or -1 when it failed at once (counted). */
static int open_conn(struct worker *w, int epfd, struct conn *c) {
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		perror("socket");
		exit(2);
	}
	c->start_ns = now_ns();
	c->received = 0;
	c->preamble_sent = 0;
	if (connect(c->fd, (struct sockaddr *) &target, sizeof target) < 0 && errno != EINPROGRESS) {
		w->connections++;
		w->errors[E_CONNECT]++;
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (preamble_len ? EPOLLOUT : 0), .data.ptr = c};
	epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

static void finish(struct worker *w, struct conn *c, int error) {
	w->connections++;
	if (error >= 0) {
		w->errors[error]++;
	}
	else {
		record_latency(w, now_ns() - c->start_ns);
	}
	close(c->fd); /* the kernel removes it from the epoll set */
	c->fd = -1;
}

/* Read what is there; returns 1 when the connection is finished. */
static int on_readable(struct worker *w, struct conn *c) {
	unsigned char buffer[16384];
	for (;;) {
		ssize_t n = read(c->fd, buffer, sizeof buffer);
		if (n > 0) {
			if (c->received + (size_t) n > expected_len) {
				finish(w, c, E_LONG);
				return 1;
			}
			if (memcmp(buffer, expected + c->received, (size_t) n) != 0) {
				finish(w, c, E_MISMATCH);
				return 1;
			}
			c->received += (size_t) n;
			continue;
		}
		if (n == 0) {
			finish(w, c, c->received == expected_len ? -1 : E_SHORT);
			return 1;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return 0;
		}
		finish(w, c, (errno == ECONNREFUSED) ? E_CONNECT : E_RESET);
		return 1;
	}
}

static void *run(void *arg) {
	struct worker *w = arg;
	int epfd = epoll_create1(0);
	struct conn *conns = calloc((size_t) w->concurrency, sizeof *conns);
	struct epoll_event events[256];
	for (int i = 0; i < w->concurrency; i++) {
		while (open_conn(w, epfd, &conns[i]) < 0 && now_ns() < end_ns) {
		}
	}
	int64_t next_timeout_check = now_ns() + 100000000LL;
	for (;;) {
		int64_t now = now_ns();
		int open = 0;
		for (int i = 0; i < w->concurrency; i++) {
			open += conns[i].fd >= 0;
		}
		if (now >= end_ns && open == 0) {
			break;
		}
		int n = epoll_wait(epfd, events, 256, 100);
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;
			int done;
			if (events[i].events & EPOLLERR) {
				int error = 0;
				socklen_t len = sizeof error;
				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len);
				finish(w, c, (error == ECONNREFUSED) ? E_CONNECT : E_RESET);
				done = 1;
			}
			else {
				done = 0;
				if (preamble_len && !c->preamble_sent && (events[i].events & EPOLLOUT)) {
					/* A new connection's send buffer takes a short preamble whole. */
					if (write(c->fd, preamble, preamble_len) != (ssize_t) preamble_len) {
						finish(w, c, E_RESET);
						done = 1;
					}
					else {
						c->preamble_sent = 1;
						struct epoll_event in = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
						epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &in);
					}
				}
				if (!done && (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))) {
					done = on_readable(w, c);
				}
			}
			if (done && now_ns() < end_ns) {
				while (open_conn(w, epfd, c) < 0 && now_ns() < end_ns) {
				}
			}
		}
		now = now_ns();
		if (now >= next_timeout_check) {
			next_timeout_check = now + 100000000LL;
			for (int i = 0; i < w->concurrency; i++) {
				if (conns[i].fd >= 0 && now - conns[i].start_ns > CONNECTION_TIMEOUT_NS) {
					finish(w, &conns[i], E_TIMEOUT);
					if (now < end_ns) {
						open_conn(w, epfd, &conns[i]);
					}
				}
			}
		}
	}
	close(epfd);
	free(conns);
	return NULL;
}

static int compare_u32(const void *a, const void *b) {
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
	return (x > y) - (x < y);
}

/* Unescape \r, \n, \t and \\ in a greeting given on the command line. */
static size_t unescape(const char *in, unsigned char *out) {
	size_t n = 0;
	for (; *in; in++) {
		if (*in == '\\' && in[1]) {
			in++;
			out[n++] = (unsigned char) (*in == 'r' ? '\r' : *in == 'n' ? '\n' : *in == 't' ? '\t' : *in);
		}
		else {
			out[n++] = (unsigned char) *in;
		}
	}
	return n;
}

int main(int argc, char **argv) {
	const char *host = "127.0.0.1";
	const char *greeting = "Hello World! This is Bhushan\\r\\n";
	int port = 0, concurrency = 64, seconds = 10, threads = 2;
	int opt;
	const char *preamble_text = NULL;
	while ((opt = getopt(argc, argv, "h:p:c:d:t:g:x:")) != -1) {
		switch (opt) {
		case 'h': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'c': concurrency = atoi(optarg); break;
		case 'd': seconds = atoi(optarg); break;
		case 't': threads = atoi(optarg); break;
		case 'g': greeting = optarg; break;
		case 'x': preamble_text = optarg; break;
		default:
			fprintf(stderr,
					"usage: %s -p PORT [-h HOST] [-c CONCURRENCY] [-d SECONDS] [-t THREADS] [-g GREETING] [-x PREAMBLE]\n",
					argv[0]);
			return 2;
		}
	}
	if (port <= 0 || concurrency < 1 || seconds < 1 || seconds > 3600 || threads < 1) {
		fprintf(stderr, "greetload: -p PORT is required; -c, -d (at most 3600) and -t must be positive\n");
		return 2;
	}
	if (strlen(greeting) >= MAX_GREETING) {
		fprintf(stderr, "greetload: greeting too long\n");
		return 2;
	}
	if (preamble_text) {
		if (strlen(preamble_text) >= sizeof preamble) {
			fprintf(stderr, "greetload: preamble too long\n");
			return 2;
		}
		preamble_len = unescape(preamble_text, preamble);
	}
	unsigned char *buffer = malloc(MAX_GREETING);
	expected_len = unescape(greeting, buffer);
	expected = buffer;
	target.sin_family = AF_INET;
	target.sin_port = htons((uint16_t) port);
	if (inet_pton(AF_INET, host, &target.sin_addr) != 1) {
		fprintf(stderr, "greetload: %s is not an IPv4 address\n", host);
		return 2;
	}
	if (threads > concurrency) {
		threads = concurrency;
	}
	struct worker *workers = calloc((size_t) threads, sizeof *workers);
	int64_t start = now_ns();
	end_ns = start + (int64_t) seconds * 1000000000LL;
	for (int i = 0; i < threads; i++) {
		workers[i].concurrency = concurrency / threads + (i < concurrency % threads);
		pthread_create(&workers[i].thread, NULL, run, &workers[i]);
	}
	uint64_t connections = 0, errors[E_KINDS] = {0}, error_total = 0;
	size_t count = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(workers[i].thread, NULL);
		connections += workers[i].connections;
		count += workers[i].latency_count;
		for (int k = 0; k < E_KINDS; k++) {
			errors[k] += workers[i].errors[k];
			error_total += workers[i].errors[k];
		}
	}
	double elapsed = (double) (now_ns() - start) / 1e9;
	uint32_t *all = malloc((count ? count : 1) * sizeof(uint32_t));
	size_t at = 0;
	for (int i = 0; i < threads; i++) {
		memcpy(all + at, workers[i].latencies_us, workers[i].latency_count * sizeof(uint32_t));
		at += workers[i].latency_count;
	}
	qsort(all, count, sizeof(uint32_t), compare_u32);
	uint32_t p50 = count ? all[count / 2] : 0;
	uint32_t p99 = count ? all[(size_t) ((double) count * 0.99)] : 0;
	uint32_t max = count ? all[count - 1] : 0;
	printf("connections=%llu seconds=%.2f rate=%.0f p50_us=%u p99_us=%u max_us=%u errors=%llu verified=%zu\n",
			(unsigned long long) connections, elapsed, (double) count / elapsed, p50, p99, max,
			(unsigned long long) error_total, count);
	for (int k = 0; k < E_KINDS; k++) {
		if (errors[k]) {
			fprintf(stderr, "greetload: %llu x %s\n", (unsigned long long) errors[k], error_names[k]);
		}
	}
	return error_total ? 1 : 0;
}
