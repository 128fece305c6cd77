package dev.tandem;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Main class of a caller JVM for the payload tests, which need more heap than the test JVM has:
 * <ul>
 * <li>{@code sizes TRANSPORT}: with default options, passes a {@code byte[]} of 1 KiB, 1 MiB,
 * 16 MiB, 64 MiB and 256 MiB to a worker and gets one of each size back, checks every value, and
 * prints {@code OK size} for each;
 * <li>{@code lane TRANSPORT}: one 1 MiB argument and one 1 MiB result, then prints {@code OK};
 * <li>{@code hold TRANSPORT}: gets a 1 MiB result (so the worker keeps a result segment), starts a
 * task that captured 1 MiB and never ends, prints {@code PIDS caller,worker...} and waits to be
 * killed.
 * </ul>
 */
public final class PayloadCaller {
    private PayloadCaller() {}

    public static void main(String[] args) throws Exception {
        Transport transport = Transport.valueOf(args[1]);
        switch (args[0]) {
            case "sizes" -> sizes(transport);
            case "lane" -> lane(transport);
            default -> hold(transport);
        }
    }

    private static void sizes(Transport transport) throws Exception {
        try (TaskPool pool = Tandem.processes(1).transport(transport).start()) {
            for (int size : List.of(1 << 10, 1 << 20, 16 << 20, 64 << 20, 256 << 20)) {
                long expected = argument(pool, size); // one payload in the caller's heap at a time
                result(pool, size, expected);
                int n = size;
                ByteBuffer buffer = pool.submit(
                                () -> ByteBuffer.allocateDirect(n).put(n - 1, (byte) 7))
                        .get();
                check(buffer.capacity() == size && buffer.get(size - 1) == 7, "buffer of " + size);
                System.out.println("OK " + size);
            }
        }
    }

    private static void lane(Transport transport) throws Exception {
        try (TaskPool pool = Tandem.processes(1).transport(transport).start()) {
            long expected = argument(pool, 1 << 20);
            result(pool, 1 << 20, expected);
            System.out.println("OK");
        }
    }

    private static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i += 4093) {
            b[i] = (byte) (i * 31);
        }
        b[size - 1] = 99;
        return b;
    }

    private static long argument(TaskPool pool, int size) throws Exception {
        byte[] data = pattern(size);
        long expected = checksum(data);
        long got = pool.submit(() -> checksum(data)).get();
        check(got == expected, "argument of " + size + ": checksum " + got + ", expected " + expected);
        return expected;
    }

    private static void result(TaskPool pool, int size, long expected) throws Exception {
        byte[] back = pool.submit(() -> pattern(size)).get();
        check(back.length == size && checksum(back) == expected, "result of " + size);
    }

    static long checksum(byte[] b) {
        long sum = b.length;
        for (int i = 0; i < b.length; i += 4093) {
            sum = sum * 31 + b[i];
        }
        return sum * 31 + b[b.length - 1];
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static void hold(Transport transport) throws Exception {
        TaskPool pool = Tandem.processes(1).transport(transport).start();
        check(pool.submit(() -> new byte[1 << 20]).get().length == 1 << 20, "result");
        byte[] captured = new byte[1 << 20];
        pool.submit(() -> {
            new CountDownLatch(1).await(); // the workload: run until the caller is killed
            return captured.length;
        });
        StringBuilder pids = new StringBuilder("PIDS " + ProcessHandle.current().pid());
        for (long p : pool.workerPids()) {
            pids.append(',').append(p);
        }
        System.out.println(pids);
        System.out.flush();
        new CountDownLatch(1).await(); // wait to be killed
    }
}
