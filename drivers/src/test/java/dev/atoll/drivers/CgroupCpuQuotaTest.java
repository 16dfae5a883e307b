package dev.atoll.drivers;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CgroupCpuQuotaTest {

    private static OptionalDouble recorded(String name) throws URISyntaxException {
        Path dir = Path.of(CgroupCpuQuotaTest.class.getResource("/cgroup/" + name).toURI());
        return CgroupCpuQuota.read(dir.resolve("root"), dir.resolve("proc-self-cgroup"));
    }

    @Test
    void v1WithoutQuotaIsUnlimited() throws Exception {
        assertEquals(OptionalDouble.empty(), recorded("v1-unlimited"));
    }

    @Test
    void v1QuotaOfTheProcessCgroupUnderACombinedMount() throws Exception {
        assertEquals(OptionalDouble.of(1.5), recorded("v1-limited"));
    }

    @Test
    void v1HostPathNotVisibleFallsBackToTheMountRoot() throws Exception {
        assertEquals(OptionalDouble.of(0.5), recorded("v1-host-path"));
    }

    @Test
    void v2MaxIsUnlimited() throws Exception {
        assertEquals(OptionalDouble.empty(), recorded("v2-max"));
    }

    @Test
    void v2QuotaOfTheProcessCgroup() throws Exception {
        assertEquals(OptionalDouble.of(2.0), recorded("v2-limited"));
    }

    @Test
    void v2TighterParentWins() throws Exception {
        assertEquals(OptionalDouble.of(0.5), recorded("v2-nested"));
    }

    @Test
    void noCgroupFilesMeansNoQuota() throws Exception {
        assertEquals(OptionalDouble.empty(), recorded("none"));
    }

    @Test
    void missingProcSelfCgroupMeansNoQuota() {
        assertEquals(OptionalDouble.empty(),
                CgroupCpuQuota.read(Path.of("/nonexistent/cgroup"), Path.of("/nonexistent/proc-self-cgroup")));
    }

    @Test
    void quotaCapsTheCountKeepingTheFirstCpus() {
        List<Integer> cpus = List.of(2, 3, 5, 7);
        assertEquals(cpus, CgroupCpuQuota.cap(cpus, OptionalDouble.empty()));
        assertEquals(List.of(2, 3), CgroupCpuQuota.cap(cpus, OptionalDouble.of(1.5)));
        assertEquals(List.of(2), CgroupCpuQuota.cap(cpus, OptionalDouble.of(0.2)));
        assertEquals(cpus, CgroupCpuQuota.cap(cpus, OptionalDouble.of(16)));
    }
}
