package com.example;

import dev.tandem.TaskPool;
import dev.tandem.Tandem;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A user's program: a task in a worker JVM, and a map. */
public class Consumer {
    public static void main(String[] args) throws Exception {
        long caller = ProcessHandle.current().pid();
        try (TaskPool pool = Tandem.processes(1).start()) {
            long worker = pool.submit(() -> ProcessHandle.current().pid()).get(2, TimeUnit.MINUTES);
            List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));
            int answer = pool.supplyAsync(() -> 6).thenCombine(pool.supplyAsync(() -> 7), (a, b) -> a * b).join();
            System.out.println("squares=" + squares);
            System.out.println("tandem-launch caller=" + caller + " worker=" + worker + " answer=" + answer);
        }
    }
}
