package dev.couponpipeline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.couponpipeline.boot.Launcher;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules, checked on the compiled classes: the packages the bytes travel through first (files, codes,
 * records, the table) are plain Java with no Camel type; no two packages depend on each other; only boot knows boot;
 * camel-main starts every RouteBuilder there is (it is given the list, it does not scan for them).
 */
class LayoutTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.couponpipeline");

    @Test
    void should_keep_the_hot_path_free_of_camel() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.couponpipeline.files..",
                        "dev.couponpipeline.codes..",
                        "dev.couponpipeline.records..",
                        "dev.couponpipeline.table..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.camel..")
                .check(MAIN);
    }

    @Test
    void should_have_no_cycles_between_packages() {
        slices().matching("dev.couponpipeline.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void should_leave_start_up_to_boot() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.couponpipeline.boot..", "dev.couponpipeline")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.couponpipeline.boot..")
                .check(MAIN);
    }

    @Test
    void should_start_every_route_builder() {
        Set<String> builders = new TreeSet<>();
        MAIN.stream()
                .filter(c -> c.isAssignableTo(org.apache.camel.RoutesBuilder.class)
                        && !c.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.ABSTRACT))
                .forEach(c -> builders.add(c.getName()));
        Set<String> started = new TreeSet<>();
        Launcher.ROUTE_BUILDERS.forEach(c -> started.add(c.getName()));
        assertEquals(builders, started, "Launcher.ROUTE_BUILDERS lists every RouteBuilder");
    }
}
