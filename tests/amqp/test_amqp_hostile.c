/* The publisher against a hostile broker: a fake on a local port that
 * answers the handshake (or not) and then misbehaves in one way per test.
 * Every delivery must end in bounded time with ORD_ETIMEOUT, ORD_ECONTRACT
 * or ORD_EUNAVAILABLE: never a crash, a hang or a false success. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <amqp.h>
#include <amqp_framing.h>

#include <orders/adapters/amqp/publisher.h>

/* What the fake does once a message is published to it (or before). */
typedef enum mode {
    ACK,                /* an honest broker: the fake itself works */
    RETURN_THEN_ACK,    /* honest too: unroutable, then confirmed */
    NACK,
    SILENT,             /* accepts TCP, never speaks */
    NOT_AMQP,           /* answers the protocol header with HTTP */
    HUGE_FRAME,         /* a frame header announcing ~2 GB */
    NO_CONFIRM,         /* handshake, then never confirms */
    GARBAGE_AFTER_PUBLISH,
    ACK_UNSENT_TAG,     /* confirms a delivery tag never used */
    OLD_ACK_FLOOD,      /* endless acks of nothing in particular */
    HEARTBEAT_FLOOD,    /* endless heartbeats (the library swallows them) */
    CLOSE_AFTER_PUBLISH,
    CHANNEL_CLOSE_404,
    WRONG_CHANNEL,
    RETURN_HUGE_BODY,   /* a return announcing a body far larger than sent */
    CONTENT_WITHOUT_METHOD
} mode;

typedef struct fake {
    int listen_fd;
    int port;
    mode mode;
    pthread_t thread;
    atomic_bool stop;
    atomic_int close_oks; /* channel.close-ok frames received */
    atomic_int publishes;
} fake;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read exactly n bytes (false on EOF, error, stop or 5 s of silence). */
static bool read_all(fake *f, int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {fd, POLLIN, 0};
        int waited = 0;
        int r;
        while ((r = poll(&p, 1, 100)) == 0) {
            if (atomic_load(&f->stop) || (waited += 100) >= 5000)
                return false;
        }
        if (r < 0)
            return false;
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k <= 0)
            return false;
        got += (size_t)k;
    }
    return true;
}

static bool write_all(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = send(fd, (const char *)buf + done, n - done, MSG_NOSIGNAL);
        if (k <= 0)
            return false;
        done += (size_t)k;
    }
    return true;
}

static size_t put_frame_header(uint8_t *b, uint8_t type, uint16_t channel, uint32_t size)
{
    b[0] = type;
    b[1] = (uint8_t)(channel >> 8);
    b[2] = (uint8_t)channel;
    b[3] = (uint8_t)(size >> 24);
    b[4] = (uint8_t)(size >> 16);
    b[5] = (uint8_t)(size >> 8);
    b[6] = (uint8_t)size;
    return 7;
}

static bool send_method(int fd, uint16_t channel, amqp_method_number_t id, void *decoded)
{
    uint8_t args[1024];
    int len = amqp_encode_method(id, decoded, (amqp_bytes_t){sizeof args, args});
    if (len < 0)
        return false;
    uint8_t frame[1100];
    size_t n = put_frame_header(frame, AMQP_FRAME_METHOD, channel, (uint32_t)len + 4);
    frame[n++] = (uint8_t)(id >> 24);
    frame[n++] = (uint8_t)(id >> 16);
    frame[n++] = (uint8_t)(id >> 8);
    frame[n++] = (uint8_t)id;
    memcpy(frame + n, args, (size_t)len);
    n += (size_t)len;
    frame[n++] = AMQP_FRAME_END;
    return write_all(fd, frame, n);
}

static bool send_content_header(int fd, uint16_t channel, uint64_t body_size)
{
    uint8_t frame[32];
    size_t n = put_frame_header(frame, AMQP_FRAME_HEADER, channel, 14);
    frame[n++] = 0;
    frame[n++] = 60; /* basic */
    frame[n++] = 0;
    frame[n++] = 0; /* weight */
    for (int i = 7; i >= 0; i--)
        frame[n++] = (uint8_t)(body_size >> (i * 8));
    frame[n++] = 0;
    frame[n++] = 0; /* no properties */
    frame[n++] = AMQP_FRAME_END;
    return write_all(fd, frame, n);
}

static bool send_body(int fd, uint16_t channel, const uint8_t *body, uint32_t len)
{
    uint8_t frame[2048];
    size_t n = put_frame_header(frame, AMQP_FRAME_BODY, channel, len);
    memcpy(frame + n, body, len);
    n += len;
    frame[n++] = AMQP_FRAME_END;
    return write_all(fd, frame, n);
}

/* One frame from the client: its type, channel, method id (methods) and
 * payload (up to cap bytes kept). */
typedef struct in_frame {
    uint8_t type;
    uint16_t channel;
    uint32_t method;
    uint8_t payload[4096];
    uint32_t size;
} in_frame;

static bool read_frame(fake *f, int fd, in_frame *fr)
{
    uint8_t h[7];
    if (!read_all(f, fd, h, sizeof h))
        return false;
    fr->type = h[0];
    fr->channel = (uint16_t)(h[1] << 8 | h[2]);
    fr->size = (uint32_t)h[3] << 24 | (uint32_t)h[4] << 16 | (uint32_t)h[5] << 8 | h[6];
    if (fr->size > sizeof fr->payload)
        return false;
    uint8_t end;
    if (!read_all(f, fd, fr->payload, fr->size) || !read_all(f, fd, &end, 1))
        return false;
    fr->method = fr->type == AMQP_FRAME_METHOD && fr->size >= 4
                     ? (uint32_t)fr->payload[0] << 24 | (uint32_t)fr->payload[1] << 16 |
                           (uint32_t)fr->payload[2] << 8 | fr->payload[3]
                     : 0;
    return true;
}

/* Wait for the client's method @p id, answering nothing else. */
static bool expect(fake *f, int fd, amqp_method_number_t id, in_frame *fr)
{
    for (int i = 0; i < 8; i++) {
        if (!read_frame(f, fd, fr))
            return false;
        if (fr->method == id)
            return true;
    }
    return false;
}

static bool handshake(fake *f, int fd)
{
    in_frame fr;
    amqp_connection_start_t start = {
        .version_major = 0,
        .version_minor = 9,
        .server_properties = amqp_empty_table,
        .mechanisms = amqp_cstring_bytes("PLAIN"),
        .locales = amqp_cstring_bytes("en_US"),
    };
    amqp_connection_tune_t tune = {.channel_max = 16, .frame_max = 131072, .heartbeat = 0};
    amqp_connection_open_ok_t open_ok = {.known_hosts = amqp_empty_bytes};
    amqp_channel_open_ok_t channel_ok = {.channel_id = amqp_empty_bytes};
    amqp_confirm_select_ok_t select_ok = {0};
    amqp_exchange_declare_ok_t declare_ok = {0};
    return send_method(fd, 0, AMQP_CONNECTION_START_METHOD, &start) &&
           expect(f, fd, AMQP_CONNECTION_START_OK_METHOD, &fr) &&
           send_method(fd, 0, AMQP_CONNECTION_TUNE_METHOD, &tune) &&
           expect(f, fd, AMQP_CONNECTION_OPEN_METHOD, &fr) &&
           send_method(fd, 0, AMQP_CONNECTION_OPEN_OK_METHOD, &open_ok) &&
           expect(f, fd, AMQP_CHANNEL_OPEN_METHOD, &fr) &&
           send_method(fd, fr.channel, AMQP_CHANNEL_OPEN_OK_METHOD, &channel_ok) &&
           expect(f, fd, AMQP_CONFIRM_SELECT_METHOD, &fr) &&
           send_method(fd, fr.channel, AMQP_CONFIRM_SELECT_OK_METHOD, &select_ok) &&
           expect(f, fd, AMQP_EXCHANGE_DECLARE_METHOD, &fr) &&
           send_method(fd, fr.channel, AMQP_EXCHANGE_DECLARE_OK_METHOD, &declare_ok);
}

/* After a publish (method, header, body read): misbehave as asked. */
static bool answer(fake *f, int fd, uint16_t ch, uint64_t tag, uint64_t body_size)
{
    static const uint8_t junk[] = "\x07\x00\x01\xff\xff\xff\xffnot a frame at all";
    amqp_basic_ack_t ack = {.delivery_tag = tag, .multiple = 0};
    switch (f->mode) {
    case ACK:
        return send_method(fd, ch, AMQP_BASIC_ACK_METHOD, &ack);
    case RETURN_THEN_ACK: {
        amqp_basic_return_t ret = {312, amqp_cstring_bytes("NO_ROUTE"), amqp_empty_bytes,
                                   amqp_empty_bytes};
        uint8_t body[2048];
        memset(body, 'x', sizeof body);
        return send_method(fd, ch, AMQP_BASIC_RETURN_METHOD, &ret) &&
               send_content_header(fd, ch, body_size) &&
               send_body(fd, ch, body, (uint32_t)body_size) &&
               send_method(fd, ch, AMQP_BASIC_ACK_METHOD, &ack);
    }
    case NACK: {
        amqp_basic_nack_t nack = {.delivery_tag = tag, .multiple = 0, .requeue = 0};
        return send_method(fd, ch, AMQP_BASIC_NACK_METHOD, &nack);
    }
    case GARBAGE_AFTER_PUBLISH:
        return write_all(fd, junk, sizeof junk);
    case ACK_UNSENT_TAG:
        ack.delivery_tag = tag + 98;
        return send_method(fd, ch, AMQP_BASIC_ACK_METHOD, &ack);
    case OLD_ACK_FLOOD:
        ack.delivery_tag = 0;
        for (int i = 0; i < 10000 && !atomic_load(&f->stop); i++)
            if (!send_method(fd, ch, AMQP_BASIC_ACK_METHOD, &ack))
                return false;
        return true;
    case HEARTBEAT_FLOOD: {
        int64_t until = now_ms() + 3000;
        uint8_t hb[8];
        put_frame_header(hb, AMQP_FRAME_HEARTBEAT, 0, 0);
        hb[7] = AMQP_FRAME_END;
        while (now_ms() < until && !atomic_load(&f->stop))
            if (!write_all(fd, hb, sizeof hb))
                return false;
        return true;
    }
    case CLOSE_AFTER_PUBLISH:
        return false;
    case CHANNEL_CLOSE_404: {
        amqp_channel_close_t close = {404, amqp_cstring_bytes("NOT_FOUND - no exchange \x01\x7f"),
                                      60, 40};
        return send_method(fd, ch, AMQP_CHANNEL_CLOSE_METHOD, &close);
    }
    case WRONG_CHANNEL:
        return send_method(fd, (uint16_t)(ch + 6), AMQP_BASIC_ACK_METHOD, &ack);
    case RETURN_HUGE_BODY: {
        amqp_basic_return_t ret = {312, amqp_cstring_bytes("NO_ROUTE"), amqp_empty_bytes,
                                   amqp_empty_bytes};
        return send_method(fd, ch, AMQP_BASIC_RETURN_METHOD, &ret) &&
               send_content_header(fd, ch, (uint64_t)1 << 40);
    }
    case CONTENT_WITHOUT_METHOD:
        return send_content_header(fd, ch, body_size);
    default:
        return true; /* NO_CONFIRM: say nothing */
    }
}

static void serve(fake *f, int fd)
{
    uint8_t header[8];
    if (!read_all(f, fd, header, sizeof header))
        return;
    if (f->mode == SILENT) {
        while (read_all(f, fd, header, 1))
            ;
        return;
    }
    if (f->mode == NOT_AMQP) {
        static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        write_all(fd, http, sizeof http - 1);
        while (read_all(f, fd, header, 1))
            ;
        return;
    }
    if (f->mode == HUGE_FRAME) {
        uint8_t h[8] = {0};
        put_frame_header(h, AMQP_FRAME_METHOD, 0, 0x7ffffff0);
        write_all(fd, h, sizeof h); /* the header and a first byte of its payload */
        while (read_all(f, fd, header, 1))
            ;
        return;
    }
    if (!handshake(f, fd))
        return;
    uint64_t tag = 0;
    in_frame fr;
    while (read_frame(f, fd, &fr)) {
        if (fr.method == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_connection_close_ok_t ok = {0};
            send_method(fd, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
            return;
        }
        if (fr.method == AMQP_CHANNEL_CLOSE_OK_METHOD) {
            atomic_fetch_add(&f->close_oks, 1);
            continue;
        }
        if (fr.method != AMQP_BASIC_PUBLISH_METHOD)
            continue;
        in_frame head;
        if (!read_frame(f, fd, &head) || head.type != AMQP_FRAME_HEADER || head.size < 12)
            return;
        uint64_t size = 0;
        for (int i = 4; i < 12; i++)
            size = size << 8 | head.payload[i];
        for (uint64_t got = 0; got < size;) {
            in_frame body;
            if (!read_frame(f, fd, &body) || body.type != AMQP_FRAME_BODY)
                return;
            got += body.size;
        }
        atomic_fetch_add(&f->publishes, 1);
        if (!answer(f, fd, fr.channel, ++tag, size))
            return;
    }
}

static void *fake_main(void *arg)
{
    fake *f = arg;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {f->listen_fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int fd = accept(f->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        serve(f, fd);
        close(fd);
    }
    return NULL;
}

static fake *fake_start(mode m)
{
    static fake f;
    memset(&f, 0, sizeof f);
    f.mode = m;
    f.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(f.listen_fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(f.listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(f.listen_fd, 4), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(f.listen_fd, (struct sockaddr *)&a, &len), 0);
    f.port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&f.thread, NULL, fake_main, &f), 0);
    return &f;
}

static void fake_stop(fake *f)
{
    atomic_store(&f->stop, true);
    pthread_join(f->thread, NULL);
    close(f->listen_fd);
}

typedef struct outcome {
    ord_error err;
    int64_t elapsed_ms;
    char why[256];
    ord_amqp_stats stats;
} outcome;

/* One delivery to the fake with a 500 ms confirm timeout; then the polite
 * close (also bounded). */
static outcome deliver_to(fake *f)
{
    char url[64];
    snprintf(url, sizeof url, "amqp://u:fake-pw@127.0.0.1:%d", f->port);
    ord_amqp_options o = ORD_AMQP_OPTIONS_INIT;
    o.url = url;
    o.confirm_timeout_ms = 500;
    o.connect_timeout_ms = 500;
    ord_amqp_broker *b = NULL;
    ord_amqp_publisher *p = NULL;
    assert_int_equal(ord_amqp_broker_new(&b, &o, NULL, 0), ORD_OK);
    assert_int_equal(ord_amqp_publisher_new(&p, b), ORD_OK);
    char payload[1500];
    memset(payload, 'p', sizeof payload - 1);
    payload[sizeof payload - 1] = '\0';
    ord_outbox_event ev = {.id = 1, .type = ORD_EVENT_ORDER_PLACED, .order_id = 5,
                           .sequence = 2, .occurred_at_ms = 1772980200000, .payload = payload};
    strcpy(ev.event_id, "9b2c7f5e-1d3a-4c8b-9e6f-0a1b2c3d4e5f");
    ord_event_sink sink = ord_amqp_publisher_sink(p);
    outcome out;
    int64_t start = now_ms();
    out.err = sink.ops->deliver(sink.self, NULL, &ev);
    out.elapsed_ms = now_ms() - start;
    snprintf(out.why, sizeof out.why, "%s", ord_amqp_publisher_last_error(p));
    ord_amqp_broker_stats(b, &out.stats);
    ord_amqp_publisher_free(p);
    ord_amqp_broker_free(b);
    assert_null(strstr(out.why, "fake-pw"));
    return out;
}

/* Generous: the limits are 500 ms; a crowded machine must not fail these. */
#define BOUND_MS 5000

static void test_honest_fake_confirms(void **state)
{
    (void)state;
    fake *f = fake_start(ACK);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_OK);
    assert_int_equal(o.stats.acked, 1);
    assert_int_equal(atomic_load(&f->publishes), 1);
}

static void test_return_then_ack_is_delivered_and_unroutable(void **state)
{
    (void)state;
    fake *f = fake_start(RETURN_THEN_ACK);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_OK);
    assert_int_equal(o.stats.unroutable, 1);
}

static void test_nack_is_unavailable(void **state)
{
    (void)state;
    fake *f = fake_start(NACK);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_EUNAVAILABLE);
    assert_int_equal(o.stats.nacked, 1);
    assert_non_null(strstr(o.why, "nack"));
}

static void test_silent_broker_times_out_at_login(void **state)
{
    (void)state;
    fake *f = fake_start(SILENT);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ETIMEOUT);
    assert_true(o.elapsed_ms < BOUND_MS);
    assert_int_equal(o.stats.connect_failures, 1);
}

static void test_non_amqp_server_is_a_contract_error(void **state)
{
    (void)state;
    fake *f = fake_start(NOT_AMQP);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_true(o.err == ORD_ECONTRACT || o.err == ORD_EUNAVAILABLE);
    assert_true(o.elapsed_ms < BOUND_MS);
}

static void test_huge_frame_is_refused_without_reading_it(void **state)
{
    (void)state;
    fake *f = fake_start(HUGE_FRAME);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ECONTRACT);
    assert_true(o.elapsed_ms < BOUND_MS);
}

static void test_missing_confirm_times_out(void **state)
{
    (void)state;
    fake *f = fake_start(NO_CONFIRM);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ETIMEOUT);
    assert_true(o.elapsed_ms >= 400 && o.elapsed_ms < BOUND_MS);
    assert_int_equal(o.stats.timeouts, 1);
}

static void test_garbage_after_publish_is_a_contract_error(void **state)
{
    (void)state;
    fake *f = fake_start(GARBAGE_AFTER_PUBLISH);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ECONTRACT);
    assert_int_equal(o.stats.protocol_errors, 1);
}

static void test_ack_of_an_unsent_tag_is_a_contract_error(void **state)
{
    (void)state;
    fake *f = fake_start(ACK_UNSENT_TAG);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ECONTRACT);
    assert_int_equal(o.stats.acked, 0);
}

static void test_flood_of_frames_is_cut_off(void **state)
{
    (void)state;
    fake *f = fake_start(OLD_ACK_FLOOD);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ECONTRACT);
    assert_non_null(strstr(o.why, "frames"));
    assert_true(o.elapsed_ms < BOUND_MS);
}

static void test_heartbeat_flood_still_times_out(void **state)
{
    (void)state;
    fake *f = fake_start(HEARTBEAT_FLOOD);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ETIMEOUT);
    assert_true(o.elapsed_ms < BOUND_MS);
}

static void test_connection_closed_after_publish_is_unavailable(void **state)
{
    (void)state;
    fake *f = fake_start(CLOSE_AFTER_PUBLISH);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_EUNAVAILABLE);
    assert_int_equal(o.stats.acked, 0);
}

static void test_channel_close_is_refused_and_answered(void **state)
{
    (void)state;
    fake *f = fake_start(CHANNEL_CLOSE_404);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ECONTRACT);
    assert_int_equal(o.stats.refused, 1);
    assert_int_equal(atomic_load(&f->close_oks), 1);
    /* Broker text is kept printable. */
    assert_non_null(strstr(o.why, "404 NOT_FOUND - no exchange ??"));
}

static void test_method_on_another_channel_is_a_contract_error(void **state)
{
    (void)state;
    fake *f = fake_start(WRONG_CHANNEL);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ECONTRACT);
}

static void test_return_of_a_different_message_is_a_contract_error(void **state)
{
    (void)state;
    fake *f = fake_start(RETURN_HUGE_BODY);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ECONTRACT);
    assert_true(o.elapsed_ms < BOUND_MS);
}

static void test_content_answering_nothing_is_a_contract_error(void **state)
{
    (void)state;
    fake *f = fake_start(CONTENT_WITHOUT_METHOD);
    outcome o = deliver_to(f);
    fake_stop(f);
    assert_int_equal(o.err, ORD_ECONTRACT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest_fake_confirms),
        cmocka_unit_test(test_return_then_ack_is_delivered_and_unroutable),
        cmocka_unit_test(test_nack_is_unavailable),
        cmocka_unit_test(test_silent_broker_times_out_at_login),
        cmocka_unit_test(test_non_amqp_server_is_a_contract_error),
        cmocka_unit_test(test_huge_frame_is_refused_without_reading_it),
        cmocka_unit_test(test_missing_confirm_times_out),
        cmocka_unit_test(test_garbage_after_publish_is_a_contract_error),
        cmocka_unit_test(test_ack_of_an_unsent_tag_is_a_contract_error),
        cmocka_unit_test(test_flood_of_frames_is_cut_off),
        cmocka_unit_test(test_heartbeat_flood_still_times_out),
        cmocka_unit_test(test_connection_closed_after_publish_is_unavailable),
        cmocka_unit_test(test_channel_close_is_refused_and_answered),
        cmocka_unit_test(test_method_on_another_channel_is_a_contract_error),
        cmocka_unit_test(test_return_of_a_different_message_is_a_contract_error),
        cmocka_unit_test(test_content_answering_nothing_is_a_contract_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
