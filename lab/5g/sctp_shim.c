/*
 * sctp_shim.c - LD_PRELOAD shim for machines whose kernel has no SCTP:
 * one-to-one SCTP sockets (SOCK_STREAM, IPPROTO_SCTP), as Open5GS's AMF
 * (lksctp build) and UERANSIM's nr-gnb use them, are carried over TCP on the
 * same addresses and ports, one framed record per SCTP message.
 *
 * Derived from the project's UDP shim (shared/lab/sctp_shim.c), which mapped
 * one-to-many sockets onto UDP; one-to-one sockets need listen/accept/connect,
 * the SCTP_ASSOC_CHANGE notifications both stacks wait for, and SCTP_STATUS.
 *
 * Record on the TCP stream (all big endian), 12 bytes then the payload:
 *   u8 kind (0 = DATA, 1 = HELLO), u8 0, u16 stream, u32 ppid, u32 length
 * Each side sends HELLO right after connect()/accept(); the peer's HELLO is
 * handed to the application as SCTP_ASSOC_CHANGE / SCTP_COMM_UP, so poll()
 * readiness stays true to the socket.  End of stream becomes SCTP_COMM_LOST
 * once, then 0.  lab/5g/ngap_pcap.py turns the records of a tcpdump capture
 * back into SCTP DATA chunks with the captured timestamps.
 *
 * Build: gcc -O2 -shared -fPIC -o sctp_shim.so sctp_shim.c -ldl -lpthread
 * Use:   LD_PRELOAD=/path/sctp_shim.so open5gs-amfd ... / nr-gnb ...
 *        SCTP_SHIM_DEBUG=1 prints what the shim does on stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXFD 4096
#define SHIM_STREAMS 2 /* in and out streams reported to the application */
#define REC_HDR 12
#define KIND_DATA 0
#define KIND_HELLO 1

enum { FD_PLAIN = 0, FD_SCTP = 1, FD_SCTP_EOF_TOLD = 2 };
static unsigned char fd_state[MAXFD];

static int is_shim(int fd) { return fd >= 0 && fd < MAXFD && fd_state[fd] != FD_PLAIN; }

static void shim_debug(const char* fmt, ...)
{
  va_list ap;
  if (!getenv("SCTP_SHIM_DEBUG"))
    return;
  va_start(ap, fmt);
  fprintf(stderr, "[sctp_shim] ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

#define REAL(name, ret, ...)                                                                                     \
  static ret (*real_##name)(__VA_ARGS__) = NULL;                                                                 \
  if (!real_##name)                                                                                              \
    real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name);

/* Waits until fd is readable or writable (events); the shim's own reads and
 * writes must finish a record even on a non-blocking socket. */
static int wait_fd(int fd, short events)
{
  struct pollfd p = {.fd = fd, .events = events};
  return poll(&p, 1, 5000) == 1 ? 0 : -1;
}

static int write_all(int fd, const unsigned char* buf, size_t len)
{
  size_t done = 0;
  while (done < len) {
    ssize_t n = send(fd, buf + done, len - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (wait_fd(fd, POLLOUT) < 0)
        return -1;
    } else {
      return -1;
    }
  }
  return 0;
}

/* Reads exactly len bytes.  Returns len, 0 at end of stream before any byte,
 * -1 with errno EAGAIN when nothing is there yet on a non-blocking socket and
 * wait_first is 0.  The rest of a record (wait_first 1) is always waited for:
 * it may come in a later TCP segment than its header. */
static ssize_t read_all(int fd, unsigned char* buf, size_t len, int wait_first)
{
  size_t done = 0;
  while (done < len) {
    ssize_t n = recv(fd, buf + done, len - done, 0);
    if (n > 0) {
      done += (size_t)n;
    } else if (n == 0) {
      if (done == 0)
        return 0;
      errno = ECONNRESET;
      return -1;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (done == 0 && !wait_first)
        return -1;
      if (wait_fd(fd, POLLIN) < 0)
        return -1;
    } else {
      return -1;
    }
  }
  return (ssize_t)done;
}

/* Header and payload go out in one send(), so a record is one TCP segment as
 * long as it fits (NGAP messages do). */
static int send_record(int fd, int kind, uint16_t stream, uint32_t ppid_be, const void* msg, size_t len)
{
  unsigned char* rec = malloc(REC_HDR + len);
  uint32_t       len_be = htonl((uint32_t)len);
  uint16_t       stream_be = htons(stream);
  int            rc;
  if (!rec) {
    errno = ENOMEM;
    return -1;
  }
  rec[0] = (unsigned char)kind;
  rec[1] = 0;
  memcpy(rec + 2, &stream_be, 2);
  memcpy(rec + 4, &ppid_be, 4);
  memcpy(rec + 8, &len_be, 4);
  if (len)
    memcpy(rec + REC_HDR, msg, len);
  rc = write_all(fd, rec, REC_HDR + len);
  free(rec);
  return rc;
}

static void mark_sctp(int fd)
{
  int one = 1;
  if (fd >= 0 && fd < MAXFD)
    fd_state[fd] = FD_SCTP;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int socket(int domain, int type, int protocol)
{
  REAL(socket, int, int, int, int);
  if ((domain == AF_INET || domain == AF_INET6) && protocol == IPPROTO_SCTP) {
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    int fd = real_socket(domain, SOCK_STREAM | flags, IPPROTO_TCP);
    if (fd >= 0)
      mark_sctp(fd);
    shim_debug("socket() SCTP type %d -> TCP fd=%d", type & 0xf, fd);
    return fd;
  }
  return real_socket(domain, type, protocol);
}

int close(int fd)
{
  REAL(close, int, int);
  if (fd >= 0 && fd < MAXFD)
    fd_state[fd] = FD_PLAIN;
  return real_close(fd);
}

int setsockopt(int fd, int level, int optname, const void* optval, socklen_t optlen)
{
  REAL(setsockopt, int, int, int, int, const void*, socklen_t);
  if (is_shim(fd) && level == IPPROTO_SCTP)
    return 0; /* SCTP tuning (INITMSG, EVENTS, RTOINFO, NODELAY...) has no TCP meaning */
  return real_setsockopt(fd, level, optname, optval, optlen);
}

int getsockopt(int fd, int level, int optname, void* optval, socklen_t* optlen)
{
  REAL(getsockopt, int, int, int, int, void*, socklen_t*);
  if (is_shim(fd) && level == IPPROTO_SCTP) {
    if (optval && optlen)
      memset(optval, 0, *optlen);
    if (optname == SCTP_STATUS && optval && optlen && *optlen >= sizeof(struct sctp_status)) {
      struct sctp_status* st = optval;
      st->sstat_assoc_id = 1;
      st->sstat_state = SCTP_ESTABLISHED;
      st->sstat_instrms = SHIM_STREAMS;
      st->sstat_outstrms = SHIM_STREAMS;
    }
    return 0;
  }
  return real_getsockopt(fd, level, optname, optval, optlen);
}

int sctp_bindx(int sd, struct sockaddr* addrs, int addrcnt, int flags)
{
  socklen_t len = addrs->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  int       one = 1;
  (void)flags;
  if (addrcnt > 1)
    shim_debug("sctp_bindx: %d addresses, binding the first only", addrcnt);
  setsockopt(sd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  return bind(sd, addrs, len);
}

/* Both ends announce themselves; the peer's HELLO becomes SCTP_COMM_UP. */
static void say_hello(int fd)
{
  if (send_record(fd, KIND_HELLO, 0, 0, NULL, 0) < 0)
    shim_debug("HELLO on fd %d failed: %s", fd, strerror(errno));
}

int connect(int fd, const struct sockaddr* addr, socklen_t len)
{
  REAL(connect, int, int, const struct sockaddr*, socklen_t);
  int rc = real_connect(fd, addr, len);
  if (!is_shim(fd))
    return rc;
  if (rc < 0 && errno == EINPROGRESS && wait_fd(fd, POLLOUT) == 0)
    rc = 0;
  shim_debug("connect fd=%d rc=%d", fd, rc);
  if (rc == 0)
    say_hello(fd);
  return rc;
}

int sctp_connectx(int sd, struct sockaddr* addrs, int addrcnt, sctp_assoc_t* id)
{
  socklen_t len = addrs->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  (void)addrcnt;
  if (id)
    *id = 1;
  return connect(sd, addrs, len);
}

static int after_accept(int listen_fd, int fd)
{
  if (fd >= 0 && is_shim(listen_fd)) {
    mark_sctp(fd);
    shim_debug("accept fd=%d -> %d", listen_fd, fd);
    say_hello(fd);
  }
  return fd;
}

int accept(int fd, struct sockaddr* addr, socklen_t* len)
{
  REAL(accept, int, int, struct sockaddr*, socklen_t*);
  return after_accept(fd, real_accept(fd, addr, len));
}

int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags)
{
  REAL(accept4, int, int, struct sockaddr*, socklen_t*, int);
  return after_accept(fd, real_accept4(fd, addr, len, flags));
}

int sctp_sendmsg(int      s,
                 const void*      msg,
                 size_t           len,
                 struct sockaddr* to,
                 socklen_t        tolen,
                 uint32_t         ppid,
                 uint32_t         flags,
                 uint16_t         stream_no,
                 uint32_t         timetolive,
                 uint32_t         context)
{
  (void)to; /* one-to-one: the association is the connection */
  (void)tolen;
  (void)flags;
  (void)timetolive;
  (void)context;
  if (send_record(s, KIND_DATA, stream_no, ppid, msg, len) < 0)
    return -1;
  return (int)len;
}

int sctp_send(int s, const void* msg, size_t len, const struct sctp_sndrcvinfo* sinfo, int flags)
{
  (void)flags;
  if (send_record(s, KIND_DATA, sinfo ? sinfo->sinfo_stream : 0, sinfo ? sinfo->sinfo_ppid : 0, msg, len) < 0)
    return -1;
  return (int)len;
}

static int notify_assoc(void* msg, size_t len, uint16_t state)
{
  struct sctp_assoc_change sac;
  memset(&sac, 0, sizeof(sac));
  sac.sac_type = SCTP_ASSOC_CHANGE;
  sac.sac_length = sizeof(sac);
  sac.sac_state = state;
  sac.sac_outbound_streams = SHIM_STREAMS;
  sac.sac_inbound_streams = SHIM_STREAMS;
  sac.sac_assoc_id = 1;
  if (len < sizeof(sac)) {
    errno = EMSGSIZE;
    return -1;
  }
  memcpy(msg, &sac, sizeof(sac));
  return sizeof(sac);
}

static void fill_source(int s, struct sockaddr* from, socklen_t* fromlen)
{
  if (from && fromlen && getpeername(s, from, fromlen) < 0)
    *fromlen = 0;
}

int sctp_recvmsg(int                     s,
                 void*                   msg,
                 size_t                  len,
                 struct sockaddr*        from,
                 socklen_t*              fromlen,
                 struct sctp_sndrcvinfo* sinfo,
                 int*                    msg_flags)
{
  unsigned char hdr[REC_HDR];
  uint32_t      body_len, ppid_be;
  uint16_t      stream_be;
  ssize_t       n;

  if (sinfo)
    memset(sinfo, 0, sizeof(*sinfo));
  if (msg_flags)
    *msg_flags = 0;
  if (s >= 0 && s < MAXFD && fd_state[s] == FD_SCTP_EOF_TOLD)
    return 0;
  fill_source(s, from, fromlen);

  n = read_all(s, hdr, REC_HDR, 0);
  if (n == 0 || (n < 0 && errno == ECONNRESET)) {
    shim_debug("fd %d: end of stream -> SCTP_COMM_LOST", s);
    if (s >= 0 && s < MAXFD)
      fd_state[s] = FD_SCTP_EOF_TOLD;
    if (msg_flags)
      *msg_flags = MSG_NOTIFICATION | MSG_EOR;
    return notify_assoc(msg, len, SCTP_COMM_LOST);
  }
  if (n < 0)
    return -1;

  memcpy(&stream_be, hdr + 2, 2);
  memcpy(&ppid_be, hdr + 4, 4);
  memcpy(&body_len, hdr + 8, 4);
  body_len = ntohl(body_len);

  if (hdr[0] == KIND_HELLO) {
    shim_debug("fd %d: HELLO -> SCTP_COMM_UP", s);
    if (msg_flags)
      *msg_flags = MSG_NOTIFICATION | MSG_EOR;
    return notify_assoc(msg, len, SCTP_COMM_UP);
  }
  if (body_len > len) {
    shim_debug("fd %d: record of %u bytes, buffer %zu", s, body_len, len);
    errno = EMSGSIZE;
    return -1;
  }
  if (body_len && read_all(s, msg, body_len, 1) != (ssize_t)body_len) {
    errno = ECONNRESET; /* a record cut in the middle: the stream is broken */
    return -1;
  }
  if (sinfo) {
    sinfo->sinfo_stream = ntohs(stream_be);
    sinfo->sinfo_ppid = ppid_be;
    sinfo->sinfo_assoc_id = 1;
  }
  if (msg_flags)
    *msg_flags = MSG_EOR;
  return (int)body_len;
}
