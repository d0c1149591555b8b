package dev.couponpipeline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules, checked on the compiled classes: the packages the bytes travel through first (files, codes,
 * records, the table) are plain Java with no Camel type; no two packages depend on each other; only boot knows boot.
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
}
